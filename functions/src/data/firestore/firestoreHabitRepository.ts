import {
  type DocumentSnapshot,
  FieldPath,
  type Firestore,
  type Transaction,
} from 'firebase-admin/firestore';
import { syncVersionBump } from './syncVersion';
import { appendXpEvent, ledgerSumOf } from './xpLedger';
import { config } from '../../config';
import {
  type Completion,
  type CompletionDeleteInput,
  type CompletionListInput,
  type CompletionLogInput,
  completionId,
} from '../../domain/completion';
import {
  AlreadyExistsError,
  InvalidInputError,
  NotFoundError,
  VersionConflictError,
} from '../../domain/errors';
import type { Habit, HabitCreateInput, HabitListInput, HabitUpdateInput } from '../../domain/habit';
import { addDays, localDayAt } from '../../domain/localDay';
import { type Progress, progressFromXp, xpForCount } from '../../domain/progress';
import { settingsOrDefault } from '../../domain/settings';
import { computeStreak, type Streak } from '../../domain/streak';
import { streakAsOf } from '../../domain/streakAsOf';
import type {
  CompletionDeleted,
  CompletionLogged,
  HabitPage,
  HabitRepository,
  ProgressAndStreaks,
} from '../habitRepository';
import type { ChangeRecorder, EntityChange } from '../entityChange';
import { decodePageToken, encodePageToken } from './pageToken';
import { legacyLongestOf, streakDocument, streakWithFloor } from './streakDocuments';
import { type UserPaths, userPaths } from './paths';
import {
  readStored,
  readStoredIfExists,
  storedCompletion,
  storedHabit,
  storedProgress,
  storedStreak,
  storedTombstone,
} from './storedDocuments';

/** The stored progress document as the API's Progress (a user with none has 0 XP). */
export function progressOf(snap: DocumentSnapshot): Progress {
  return progressFromXp(readStoredIfExists(storedProgress, snap)?.totalXp ?? 0);
}

/** Stored streaks of the habits that exist, as of `today` (a lapsed run reads `current: 0`). */
export function streaksAsOf(
  streakDocs: readonly DocumentSnapshot[],
  habits: readonly Habit[],
  today: string,
): Streak[] {
  const byId = new Map(habits.map((habit) => [habit.id, habit]));
  return streakDocs.flatMap((snap) => {
    const habit = byId.get(snap.id);
    return habit ? [streakAsOf(readStored(storedStreak, snap), habit.schedule, today)] : [];
  });
}

type XpReason = 'completion-logged' | 'completion-deleted' | 'habit-deleted';

/** A transaction's answer when it found nothing to change (a retried call): no version bump. */
class Unchanged<T> {
  constructor(readonly value: T) {}
}

/** The fields a client chose at creation; a retried create is recognised by them. */
function creationFields(habit: HabitCreateInput | Habit): string {
  const { name, emoji, color, schedule, targetPerDay, reminderTime, archived } = habit;
  return JSON.stringify({ name, emoji, color, schedule, targetPerDay, reminderTime, archived });
}

export class FirestoreHabitRepository implements HabitRepository {
  constructor(
    private readonly db: Firestore,
    private readonly clock: () => Date = () => new Date(),
    /** Dual-write hands an outbox recorder here; plain Firestore mode has none. */
    private readonly recordChanges?: ChangeRecorder<Transaction, UserPaths>,
  ) {}

  /**
   * Every data write runs here: one transaction whose commit also bumps the user's data version,
   * so a reader holding version N knows nothing changed while the version is still N.
   */
  private write<T>(
    uid: string,
    work: (
      tx: Transaction,
      paths: UserPaths,
      now: string,
      changed: (change: EntityChange) => void,
    ) => Promise<T | Unchanged<T>>,
  ): Promise<T> {
    const paths = userPaths(this.db, uid);
    return this.db.runTransaction(
      async (tx) => {
        const now = this.clock().toISOString();
        const changes: EntityChange[] = [];
        const result = await work(tx, paths, now, (change) => changes.push(change));
        if (result instanceof Unchanged) return result.value;
        if (this.recordChanges && changes.length > 0) this.recordChanges(tx, paths, changes, now);
        tx.set(paths.sync, syncVersionBump(now), { merge: true });
        return result;
      },
      { maxAttempts: config.transactionMaxAttempts },
    );
  }

  /** The XP a change earns or takes back: a ledger entry, the new total, and its delivery. */
  private recordXp(
    tx: Transaction,
    paths: UserPaths,
    previousTotal: number,
    delta: number,
    reason: XpReason,
    detail: { habitId: string; completionId?: string },
    now: string,
    changed: (change: EntityChange) => void,
  ): Progress {
    const ref = paths.xpEvents.doc();
    const progress = appendXpEvent(
      tx,
      paths,
      ref,
      previousTotal,
      delta,
      { ...detail, reason },
      now,
    );
    if (delta !== 0) changed({ kind: 'xpEvent', id: ref.id });
    return progress;
  }

  async createHabit(uid: string, input: HabitCreateInput): Promise<Habit> {
    return this.write(uid, async (tx, paths, now, changed) => {
      const { id: requestedId, ...fields } = input;
      const ref = requestedId ? paths.habits.doc(requestedId) : paths.habits.doc();
      if (requestedId) {
        const [existingSnap, tombstoneSnap] = await Promise.all([
          tx.get(ref),
          tx.get(paths.tombstones.doc(requestedId)),
        ]);
        const existing = readStoredIfExists(storedHabit, existingSnap);
        if (existing && creationFields(existing) === creationFields(input)) {
          return new Unchanged(existing);
        }
        if (existing) {
          throw new AlreadyExistsError(`habit ${requestedId} already exists with other fields`);
        }
        if (tombstoneSnap.exists) {
          throw new AlreadyExistsError(`habit ${requestedId} was deleted; choose a new id`);
        }
      }
      const habit: Habit = { id: ref.id, ...fields, createdAt: now, updatedAt: now, version: 1 };
      tx.create(ref, habit);
      changed({ kind: 'habit', id: habit.id });
      return habit;
    });
  }

  async updateHabit(uid: string, input: HabitUpdateInput): Promise<Habit> {
    return this.write(uid, async (tx, paths, now, changed) => {
      const { id, expectedVersion, ...changes } = input;
      const current = readStoredIfExists(storedHabit, await tx.get(paths.habits.doc(id)));
      if (!current) throw new NotFoundError('habit', id);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new VersionConflictError(id, expectedVersion, current.version);
      }
      const merged: Record<string, unknown> = { ...current, ...changes };
      for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
      const habit = {
        ...merged,
        updatedAt: now,
        version: current.version + 1,
      } as Habit;

      // Which days count depends on schedule and target: the stored streak must follow them.
      if (changes.schedule !== undefined || changes.targetPerDay !== undefined) {
        await this.storeRecomputedStreak(tx, paths, habit, now);
        changed({ kind: 'streak', id });
      }
      tx.set(paths.habits.doc(id), habit);
      changed({ kind: 'habit', id });
      return habit;
    });
  }

  /** Reads all the habit's days: every write to it happens after this in the transaction. */
  private async storeRecomputedStreak(
    tx: Transaction,
    paths: UserPaths,
    habit: Habit,
    now: string,
  ): Promise<void> {
    const [settingsSnap, historySnap, streakSnap] = await Promise.all([
      tx.get(paths.settings),
      tx.get(paths.completions.where('habitId', '==', habit.id).select('date', 'count')),
      tx.get(paths.streaks.doc(habit.id)),
    ]);
    const streak = computeStreak({
      habitId: habit.id,
      schedule: habit.schedule,
      targetPerDay: habit.targetPerDay,
      completions: historySnap.docs.map((d) => ({ date: d.get('date'), count: d.get('count') })),
      today: localDayAt(new Date(now), settingsOrDefault(settingsSnap.data()).timeZone),
    });
    tx.set(paths.streaks.doc(habit.id), streakDocument(streak, legacyLongestOf(streakSnap), now));
  }

  /**
   * Every habit's streak (or the named habits') from its completions, one transaction per habit
   * so that a user with years of history never needs one huge transaction. The backfill's last
   * step, and a catch-up's after each page.
   */
  async recomputeStreaks(uid: string, only?: readonly string[]): Promise<number> {
    const habitIds =
      only ?? (await userPaths(this.db, uid).habits.select().get()).docs.map((d) => d.id);
    for (const id of habitIds) {
      await this.write(uid, async (tx, paths, now, changed) => {
        const habit = readStoredIfExists(storedHabit, await tx.get(paths.habits.doc(id)));
        if (!habit) return new Unchanged(undefined);
        await this.storeRecomputedStreak(tx, paths, habit, now);
        changed({ kind: 'streak', id });
        return undefined;
      });
    }
    return habitIds.length;
  }

  async deleteHabit(uid: string, id: string): Promise<void> {
    await this.write(uid, async (tx, paths, now, changed) => {
      const [habitSnap, tombstoneSnap, completionsSnap, progressSnap, xpSnap] = await Promise.all([
        tx.get(paths.habits.doc(id)),
        tx.get(paths.tombstones.doc(id)),
        tx.get(paths.completions.where('habitId', '==', id)),
        tx.get(paths.progress),
        tx.get(paths.xpEvents.where('habitId', '==', id).select('delta')),
      ]);
      const habit = readStoredIfExists(storedHabit, habitSnap);
      if (!habit) {
        // Deleting what is already deleted succeeds, so a retried call is harmless.
        if (tombstoneSnap.exists) return new Unchanged(undefined);
        throw new NotFoundError('habit', id);
      }
      // What the ledger holds for the habit: its days as logged here, migrated legacy events that
      // name its days (whether or not those days migrated yet), and corrections.
      const earned = xpSnap.docs.reduce((sum, d) => sum + (d.get('delta') as number), 0);
      const previousTotal = ledgerSumOf(progressSnap);
      for (const completion of completionsSnap.docs) {
        tx.delete(completion.ref);
        changed({ kind: 'completion', id: completion.id });
      }
      tx.delete(paths.streaks.doc(id));
      changed({ kind: 'streak', id });
      tx.delete(habitSnap.ref);
      changed({ kind: 'habit', id });
      tx.set(paths.tombstones.doc(id), {
        kind: 'habit',
        version: habit.version + 1,
        deletedAt: now,
      });
      this.recordXp(
        tx,
        paths,
        previousTotal,
        -earned,
        'habit-deleted',
        { habitId: id },
        now,
        changed,
      );
      return undefined;
    });
  }

  async getHabit(uid: string, id: string): Promise<Habit> {
    const snap = await userPaths(this.db, uid).habits.doc(id).get();
    const habit = readStoredIfExists(storedHabit, snap);
    if (!habit) throw new NotFoundError('habit', id);
    return habit;
  }

  async listHabits(uid: string, input: HabitListInput): Promise<HabitPage> {
    let query = userPaths(this.db, uid).habits.orderBy('createdAt').orderBy(FieldPath.documentId());
    if (!input.includeArchived) query = query.where('archived', '==', false);
    if (input.pageToken) {
      const after = decodePageToken(input.pageToken);
      query = query.startAfter(after.createdAt, after.id);
    }
    // One extra document tells whether another page exists without a second query.
    const snap = await query.limit(input.limit + 1).get();
    const habits = snap.docs.slice(0, input.limit).map((d) => readStored(storedHabit, d));
    const last = habits[habits.length - 1];
    return snap.size > input.limit && last
      ? { habits, nextPageToken: encodePageToken(last) }
      : { habits };
  }

  /**
   * What a change to one day of a habit needs, read inside its transaction: the habit, the user's
   * today, the day's completion or tombstone, the XP total, and the habit's other days.
   */
  private async readHabitDay(
    tx: Transaction,
    paths: UserPaths,
    habitId: string,
    date: string,
    now: string,
  ) {
    const id = completionId(habitId, date);
    const [
      habitSnap,
      settingsSnap,
      existingSnap,
      tombstoneSnap,
      progressSnap,
      historySnap,
      streakSnap,
    ] = await Promise.all([
      tx.get(paths.habits.doc(habitId)),
      tx.get(paths.settings),
      tx.get(paths.completions.doc(id)),
      tx.get(paths.tombstones.doc(id)),
      tx.get(paths.progress),
      tx.get(paths.completions.where('habitId', '==', habitId).select('date', 'count')),
      tx.get(paths.streaks.doc(habitId)),
    ]);
    const habit = readStoredIfExists(storedHabit, habitSnap);
    if (!habit) throw new NotFoundError('habit', habitId);
    const today = localDayAt(new Date(now), settingsOrDefault(settingsSnap.data()).timeZone);
    const otherDays = historySnap.docs
      .filter((d) => d.id !== id)
      .map((d) => ({ date: d.get('date') as string, count: d.get('count') as number }));
    return {
      id,
      habit,
      today,
      existing: readStoredIfExists(storedCompletion, existingSnap),
      tombstone: readStoredIfExists(storedTombstone, tombstoneSnap),
      previousTotal: ledgerSumOf(progressSnap),
      legacyLongest: legacyLongestOf(streakSnap),
      streakWith: (days: { date: string; count: number }[]) =>
        streakWithFloor(
          computeStreak({
            habitId: habit.id,
            schedule: habit.schedule,
            targetPerDay: habit.targetPerDay,
            completions: [...otherDays, ...days],
            today,
          }),
          legacyLongestOf(streakSnap),
        ),
    };
  }

  async logCompletion(uid: string, input: CompletionLogInput): Promise<CompletionLogged> {
    return this.write(uid, async (tx, paths, now, changed) => {
      const day = await this.readHabitDay(tx, paths, input.habitId, input.date, now);
      const { id, existing, tombstone } = day;
      if (input.date > addDays(day.today, config.completionFutureDaysAllowed)) {
        throw new InvalidInputError(
          ['date'],
          `must not be after today (${day.today}) in your time zone`,
        );
      }
      // Versions keep rising across delete and re-log, so the legacy store can order every change.
      const version = existing ? existing.version + 1 : (tombstone?.version ?? 0) + 1;
      const completion: Completion = {
        id,
        habitId: input.habitId,
        date: input.date,
        count: input.count,
        // Callable responses turn an undefined field into null: leave the key out instead.
        ...(input.note !== undefined && { note: input.note }),
        completedAt: now,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        version,
      };
      const streak = day.streakWith([{ date: input.date, count: input.count }]);

      tx.set(paths.completions.doc(id), completion);
      changed({ kind: 'completion', id });
      if (tombstone) tx.delete(paths.tombstones.doc(id));
      tx.set(paths.streaks.doc(input.habitId), streakDocument(streak, day.legacyLongest, now));
      changed({ kind: 'streak', id: input.habitId });
      const progress = this.recordXp(
        tx,
        paths,
        day.previousTotal,
        xpForCount(input.count) - xpForCount(existing?.count ?? 0),
        'completion-logged',
        { habitId: input.habitId, completionId: id },
        now,
        changed,
      );
      return { completion, progress, streak };
    });
  }

  async deleteCompletion(uid: string, input: CompletionDeleteInput): Promise<CompletionDeleted> {
    return this.write(uid, async (tx, paths, now, changed) => {
      const day = await this.readHabitDay(tx, paths, input.habitId, input.date, now);
      const { id, existing } = day;
      if (!existing && !day.tombstone) throw new NotFoundError('completion', id);
      const streak = day.streakWith([]);
      if (!existing) return new Unchanged({ progress: progressFromXp(day.previousTotal), streak });

      tx.delete(paths.completions.doc(id));
      tx.set(paths.tombstones.doc(id), {
        kind: 'completion',
        version: existing.version + 1,
        deletedAt: now,
      });
      changed({ kind: 'completion', id });
      tx.set(paths.streaks.doc(input.habitId), streakDocument(streak, day.legacyLongest, now));
      changed({ kind: 'streak', id: input.habitId });
      const progress = this.recordXp(
        tx,
        paths,
        day.previousTotal,
        -xpForCount(existing.count),
        'completion-deleted',
        { habitId: input.habitId, completionId: id },
        now,
        changed,
      );
      return { progress, streak };
    });
  }

  async listCompletions(uid: string, input: CompletionListInput): Promise<Completion[]> {
    let query = userPaths(this.db, uid)
      .completions.where('date', '>=', input.from)
      .where('date', '<=', input.to);
    if (input.habitId) query = query.where('habitId', '==', input.habitId);
    const snap = await query.orderBy('date').get();
    return snap.docs.map((d) => readStored(storedCompletion, d));
  }

  async getProgress(uid: string): Promise<ProgressAndStreaks> {
    const paths = userPaths(this.db, uid);
    const [progressSnap, streaksSnap, habitsSnap, settingsSnap] = await Promise.all([
      paths.progress.get(),
      paths.streaks.get(),
      paths.habits.get(),
      paths.settings.get(),
    ]);
    const today = localDayAt(this.clock(), settingsOrDefault(settingsSnap.data()).timeZone);
    const habits = habitsSnap.docs.map((d) => readStored(storedHabit, d));
    return {
      progress: progressOf(progressSnap),
      streaks: streaksAsOf(streaksSnap.docs, habits, today),
    };
  }
}
