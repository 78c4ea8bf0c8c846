import {
  AggregateField,
  type DocumentSnapshot,
  FieldPath,
  type Firestore,
  type Transaction,
} from 'firebase-admin/firestore';
import pLimit from 'p-limit';
import { ledgerSumOf } from './xpLedger';
import {
  appendXpEvent,
  bumpDataVersion,
  removeTombstone,
  requestHabitWork,
  writeTombstone,
} from './userWrites';
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
  ContentionError,
  InvalidInputError,
  NotFoundError,
  VersionConflictError,
} from '../../domain/errors';
import type { Habit, HabitCreateInput, HabitListInput, HabitUpdateInput } from '../../domain/habit';
import { addDays, localDayAt } from '../../domain/localDay';
import { type Progress, progressFromXp, xpForCount } from '../../domain/progress';
import { migrationMayChangeDays, migrationStateSchema } from '../../domain/migrationState';
import { settingsOrDefault } from '../../domain/settings';
import { dayDeletedWithHabitAt } from '../../domain/conflictRule';
import { type Streak, weekBounds } from '../../domain/streak';
import {
  type DayCount,
  type StreakSummary,
  missingWeek,
  streakFromSummary,
  summarize,
  unitOf,
  withDayChanged,
  withWeekDays,
} from '../../domain/streakRuns';
import type {
  CompletionDeleted,
  CompletionLogged,
  HabitPage,
  HabitRepository,
  ProgressAndStreaks,
} from '../habitRepository';
import type { ChangeRecorder, EntityChange } from '../entityChange';
import { decodePageToken, encodePageToken } from './pageToken';
import { historiesByHabit } from './habitHistories';
import { habitsBeingPurged } from './purgedHabits';
import {
  keptSummary,
  legacyLongestOf,
  storedStreakAsOf,
  streakDocument,
  SUMMARY_RUN,
  summaryOf,
} from './streakDocuments';
import { type UserPaths, userPaths } from './paths';
import {
  readStored,
  readStoredIfExists,
  storedCompletion,
  storedHabit,
  storedProgress,
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
    return habit ? [storedStreakAsOf(snap, habit, today)] : [];
  });
}

type XpReason = 'completion-logged' | 'completion-deleted' | 'habit-deleted';

/** Both snapshots saw the same write of the document (or both its absence; `b` undefined: absent). */
function sameWrite(a: DocumentSnapshot, b: DocumentSnapshot | undefined): boolean {
  if (!b) return !a.exists;
  if (!a.updateTime || !b.updateTime) return !a.exists && !b.exists;
  return a.updateTime.isEqual(b.updateTime);
}

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
    const { maxAttempts, deadlineMs } = config.userWriteTransaction;
    const started = Date.now();
    return this.db.runTransaction(
      async (tx) => {
        if (Date.now() - started > deadlineMs) {
          throw new ContentionError('other writes to your data kept winning; retry');
        }
        const now = this.clock().toISOString();
        const changes: EntityChange[] = [];
        const result = await work(tx, paths, now, (change) => changes.push(change));
        if (result instanceof Unchanged) return result.value;
        if (this.recordChanges && changes.length > 0) this.recordChanges(tx, paths, changes, now);
        bumpDataVersion(tx, paths, now);
        return result;
      },
      { maxAttempts },
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
      { ...detail, reason, delta },
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

      // Which days count depends on schedule and target: the runs no longer match (their basis
      // says so) and are recounted from the history in the background, never inside this call.
      if (changes.schedule !== undefined || changes.targetPerDay !== undefined) {
        requestHabitWork(tx, paths, id, { recount: true }, now);
      }
      tx.set(paths.habits.doc(id), habit);
      changed({ kind: 'habit', id });
      return habit;
    });
  }

  /**
   * Every habit's streak (or the named habits') recounted from its completions: the backfill's
   * last step, and a catch-up's after each page. Each store is its own small commit on its own
   * habit, so a few run at once.
   */
  async recomputeStreaks(uid: string, only?: readonly string[]): Promise<number> {
    const fewAtATime = pLimit(config.streakRecountConcurrency);
    if (only) {
      await Promise.all(only.map((id) => fewAtATime(() => this.recountStreak(uid, id))));
      return only.length;
    }
    const paths = userPaths(this.db, uid);
    // Habits and streaks before the history, as in recountStreak: a change to the days after
    // this read moves the streak, and the store's check sees it.
    const [habits, streaks] = await Promise.all([paths.habits.get(), paths.streaks.get()]);
    const streakOf = new Map(streaks.docs.map((snap) => [snap.id, snap]));
    const unseen = new Map(habits.docs.map((snap) => [snap.id, snap]));
    const stores: Promise<void>[] = [];
    const recount = (habitSnap: DocumentSnapshot, days: readonly DayCount[]) => {
      const habit = readStoredIfExists(storedHabit, habitSnap);
      if (!habit) return;
      // Summarized at once: only the runs wait for their commit, never a habit's days.
      const summary = summarize(habit.schedule, habit.targetPerDay, days);
      const streakSnap = streakOf.get(habitSnap.id);
      stores.push(
        fewAtATime(async () => {
          const stored = await this.storeRecount(uid, habit, habitSnap, streakSnap, summary);
          // Raced an API write: that habit alone is read and recounted again.
          if (!stored) await this.recountStreak(uid, habitSnap.id);
        }),
      );
    };
    try {
      for await (const { habitId, days } of historiesByHabit(paths.completions)) {
        const habitSnap = unseen.get(habitId);
        unseen.delete(habitId);
        if (habitSnap) recount(habitSnap, days);
      }
    } catch (error) {
      await Promise.allSettled(stores);
      throw error;
    }
    for (const habitSnap of unseen.values()) recount(habitSnap, []);
    await Promise.all(stores);
    return habits.size;
  }

  /**
   * The backfill's last step. A run that stayed the user's only writer kept the streaks up page by
   * page (`maintainedBy`, its run id): each habit's runs are stored as of today from what the
   * pages built, with no day read again, and only habits they could not count are recounted from
   * their days. Without it, every habit is recounted.
   */
  async finishStreaks(uid: string, maintainedBy?: string): Promise<number> {
    if (!maintainedBy) return this.recomputeStreaks(uid);
    const paths = userPaths(this.db, uid);
    const [habits, streaks] = await Promise.all([paths.habits.get(), paths.streaks.get()]);
    const streakOf = new Map(streaks.docs.map((snap) => [snap.id, snap]));
    const recount: string[] = [];
    const fewAtATime = pLimit(config.streakRecountConcurrency);
    const store = async (habitSnap: DocumentSnapshot) => {
      const habit = readStoredIfExists(storedHabit, habitSnap);
      if (!habit) return;
      const streakSnap = streakOf.get(habitSnap.id);
      // No page of the run copied a day of it, and nothing else wrote: it has no days.
      const summary = streakSnap?.get(SUMMARY_RUN)
        ? keptSummary(streakSnap, habit, maintainedBy)
        : summarize(habit.schedule, habit.targetPerDay, []);
      const stored =
        summary && (await this.storeRecount(uid, habit, habitSnap, streakSnap, summary));
      // Days the pages could not count, or an API write that raced the store: count them all.
      if (!stored) recount.push(habitSnap.id);
    };
    await Promise.all(habits.docs.map((habitSnap) => fewAtATime(() => store(habitSnap))));
    if (recount.length > 0) await this.recomputeStreaks(uid, recount);
    return habits.size;
  }

  /**
   * A habit's runs from its whole history, read outside any transaction (a long history locks
   * nothing), then stored only if neither the habit nor its streak changed meanwhile: every API
   * change to a day rewrites the streak document, so a recount that raced one is done again.
   */
  async recountStreak(uid: string, habitId: string): Promise<boolean> {
    const paths = userPaths(this.db, uid);
    for (let attempt = 0; attempt < config.streakRecountAttempts; attempt += 1) {
      // The history is read after the streak: a change to the days committed after the streak
      // was read moves the streak document, so the check below sees it and reads again.
      const [habitSnap, streakSnap] = await Promise.all([
        paths.habits.doc(habitId).get(),
        paths.streaks.doc(habitId).get(),
      ]);
      const history = await paths.completions
        .where('habitId', '==', habitId)
        .select('date', 'count')
        .get();
      const habit = readStoredIfExists(storedHabit, habitSnap);
      if (!habit) return false;
      const summary = summarize(
        habit.schedule,
        habit.targetPerDay,
        history.docs.map((d) => ({
          date: d.get('date') as string,
          count: d.get('count') as number,
        })),
      );
      if (await this.storeRecount(uid, habit, habitSnap, streakSnap, summary)) return true;
    }
    throw new ContentionError(`the streak of habit ${habitId} kept changing during its recount`);
  }

  /**
   * Stores runs counted from a history read after `habitSnap` and `streakSnap` (undefined: no
   * streak then), unless either document changed since; false if one did.
   */
  private storeRecount(
    uid: string,
    habit: Habit,
    habitSnap: DocumentSnapshot,
    streakSnap: DocumentSnapshot | undefined,
    summary: StreakSummary,
  ): Promise<boolean> {
    const habitId = habitSnap.id;
    return this.write(uid, async (tx, paths, now, changed) => {
      const [habitNow, streakNow, settingsSnap] = await Promise.all([
        tx.get(paths.habits.doc(habitId)),
        tx.get(paths.streaks.doc(habitId)),
        tx.get(paths.settings),
      ]);
      if (!sameWrite(habitNow, habitSnap) || !sameWrite(streakNow, streakSnap)) {
        return new Unchanged(false);
      }
      const today = localDayAt(new Date(now), settingsOrDefault(settingsSnap.data()).timeZone);
      const legacyLongest = legacyLongestOf(streakNow);
      const streak = streakFromSummary(habitId, habit.schedule, summary, today, legacyLongest);
      tx.set(streakNow.ref, streakDocument(streak, legacyLongest, now, summary));
      changed({ kind: 'streak', id: habitId });
      return true;
    });
  }

  /**
   * The habit, its streak, its tombstone and the XP it earned go in one commit of a fixed size
   * (the user sees it gone at once); its days are purged afterwards in pages (`purgeCompletions`),
   * driven by the habit-work request this commit leaves, which a task and a sweep carry out.
   */
  async deleteHabit(uid: string, id: string): Promise<void> {
    await this.write(uid, async (tx, paths, now, changed) => {
      const [habitSnap, tombstoneSnap, progressSnap, earnedSnap] = await Promise.all([
        tx.get(paths.habits.doc(id)),
        tx.get(paths.tombstones.doc(id)),
        tx.get(paths.progress),
        // What the ledger holds for the habit: its days as logged here, migrated legacy events
        // that name its days (whether or not those days migrated yet), and corrections. An
        // aggregation: Firestore bills one read per thousand entries, and returns one number.
        tx.get(
          paths.xpEvents
            .where('habitId', '==', id)
            .aggregate({ earned: AggregateField.sum('delta') }),
        ),
      ]);
      const habit = readStoredIfExists(storedHabit, habitSnap);
      if (!habit) {
        // Deleting what is already deleted succeeds, so a retried call is harmless.
        if (tombstoneSnap.exists) return new Unchanged(undefined);
        throw new NotFoundError('habit', id);
      }
      const earned = earnedSnap.data().earned ?? 0;
      const previousTotal = ledgerSumOf(progressSnap);
      tx.delete(paths.streaks.doc(id));
      changed({ kind: 'streak', id });
      tx.delete(habitSnap.ref);
      changed({ kind: 'habit', id });
      writeTombstone(tx, paths, { kind: 'habit', id, version: habit.version }, now);
      requestHabitWork(tx, paths, id, { purge: true, purgeBefore: now }, now);
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

  /**
   * One page of a deleted habit's days removed, each with its delivery to CloudKit: at most
   * `limit` completions, so the commit stays far below Firestore's limit whatever the history.
   * Answers how many went. A habit that exists again keeps the days written since its deletion
   * (`deletedBefore`); those it had then go, since the deletion took their XP back.
   */
  async purgeCompletions(
    uid: string,
    habitId: string,
    limit: number,
    deletedBefore?: string,
  ): Promise<number> {
    return this.write<number>(uid, async (tx, paths, _now, changed) => {
      const [habitSnap, tombstoneSnap] = await Promise.all([
        tx.get(paths.habits.doc(habitId)),
        tx.get(paths.tombstones.doc(habitId)),
      ]);
      const restored = habitSnap.exists || !tombstoneSnap.exists;
      if (restored && deletedBefore === undefined) return new Unchanged(0);
      const days = paths.completions.where('habitId', '==', habitId);
      const page = await tx.get(
        (restored ? days.where('updatedAt', '<=', deletedBefore) : days)
          .select('version', 'updatedAt')
          .limit(limit),
      );
      if (page.empty) return new Unchanged(0);
      const habitDeletedAt = deletedBefore ?? (tombstoneSnap.get('deletedAt') as string);
      for (const completion of page.docs) {
        tx.delete(completion.ref);
        // Its own tombstone, so CloudKit's copy still goes if the habit comes back meanwhile.
        const version = (completion.get('version') as number | undefined) ?? 0;
        const deletedAt = dayDeletedWithHabitAt(
          habitDeletedAt,
          completion.get('updatedAt') as string,
        );
        writeTombstone(tx, paths, { kind: 'completion', id: completion.id, version }, deletedAt);
        changed({ kind: 'completion', id: completion.id });
      }
      return page.size;
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
   * today, the day's completion or tombstone, the XP total, the habit's streak runs (for a
   * `timesPerWeek` habit also the day's week: seven days at most) and the user's migration state
   * (a run in progress copies days the runs do not hold yet). Never the habit's history.
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
      streakSnap,
      migrationSnap,
    ] = await Promise.all([
      tx.get(paths.habits.doc(habitId)),
      tx.get(paths.settings),
      tx.get(paths.completions.doc(id)),
      tx.get(paths.tombstones.doc(id)),
      tx.get(paths.progress),
      tx.get(paths.streaks.doc(habitId)),
      tx.get(paths.migration),
    ]);
    const habit = readStoredIfExists(storedHabit, habitSnap);
    if (!habit) throw new NotFoundError('habit', habitId);
    const today = localDayAt(new Date(now), settingsOrDefault(settingsSnap.data()).timeZone);
    const legacyLongest = legacyLongestOf(streakSnap);
    const migration = readStoredIfExists(migrationStateSchema, migrationSnap);
    const summary =
      migration && migrationMayChangeDays(migration) ? undefined : summaryOf(streakSnap, habit);
    const weekDays = async (unit: number) => {
      const { from, to } = weekBounds(unit);
      const snap = await tx.get(
        paths.completions
          .where('habitId', '==', habitId)
          .where('date', '>=', from)
          .where('date', '<=', to)
          .select('date', 'count'),
      );
      return snap.docs
        .filter((d) => d.id !== id)
        .map((d) => ({ date: d.get('date') as string, count: d.get('count') as number }));
    };
    return {
      id,
      habit,
      today,
      existing: readStoredIfExists(storedCompletion, existingSnap),
      tombstone: readStoredIfExists(storedTombstone, tombstoneSnap),
      previousTotal: ledgerSumOf(progressSnap),
      legacyLongest,
      /**
       * The streak once the day holds `dayCount`, and the runs to store. Runs written before
       * they were kept, or under an old schedule, are left to the queued recount (`summary`
       * undefined): the answer is then the streak as last stored.
       */
      streakAfter: async (
        dayCount: number,
      ): Promise<{ streak: Streak; summary?: StreakSummary }> => {
        if (!summary) return { streak: storedStreakAsOf(streakSnap, habit, today) };
        const { schedule, targetPerDay } = habit;
        let next = summary;
        if (schedule.type === 'timesPerWeek') {
          const unit = unitOf(schedule, date) as number;
          const others = await weekDays(unit);
          const weekNow = dayCount > 0 ? [...others, { date, count: dayCount }] : others;
          next = withDayChanged(summary, schedule, targetPerDay, date, {
            dayCount,
            weekDays: weekNow,
          });
          const lost = missingWeek(next, schedule);
          if (lost !== undefined) {
            next = withWeekDays(next, schedule, targetPerDay, lost, await weekDays(lost));
          }
        } else {
          next = withDayChanged(summary, schedule, targetPerDay, date, { dayCount });
        }
        return {
          streak: streakFromSummary(habit.id, schedule, next, today, legacyLongest),
          summary: next,
        };
      },
    };
  }

  /**
   * Without runs to build on, the figures as they stood are stored again, without runs, and a
   * recount is asked for: the write still changes the document, so a recount that read the
   * history before this change stores nothing and reads again.
   */
  private storeStreak(
    tx: Transaction,
    paths: UserPaths,
    habitId: string,
    streak: Streak,
    legacyLongest: number | undefined,
    now: string,
    summary: StreakSummary | undefined,
  ): void {
    const ref = paths.streaks.doc(habitId);
    tx.set(ref, streakDocument(streak, legacyLongest, now, summary));
    if (!summary) requestHabitWork(tx, paths, habitId, { recount: true }, now);
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
      const { streak, summary } = await day.streakAfter(input.count);

      tx.set(paths.completions.doc(id), completion);
      changed({ kind: 'completion', id });
      if (tombstone) removeTombstone(tx, paths, id);
      this.storeStreak(tx, paths, input.habitId, streak, day.legacyLongest, now, summary);
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
      if (!existing) {
        const { streak } = await day.streakAfter(0);
        return new Unchanged({ progress: progressFromXp(day.previousTotal), streak });
      }
      const { streak, summary } = await day.streakAfter(0);

      tx.delete(paths.completions.doc(id));
      writeTombstone(tx, paths, { kind: 'completion', id, version: existing.version }, now);
      changed({ kind: 'completion', id });
      this.storeStreak(tx, paths, input.habitId, streak, day.legacyLongest, now, summary);
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
    const completions = snap.docs.map((d) => readStored(storedCompletion, d));
    const purging = await habitsBeingPurged(
      (...refs) => this.db.getAll(...refs),
      userPaths(this.db, uid),
      completions.map((c) => c.habitId),
    );
    return completions.filter((c) => !purging.has(c.habitId));
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
