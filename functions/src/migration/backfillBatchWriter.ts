import { createHash } from 'node:crypto';
import {
  type DocumentReference,
  type DocumentSnapshot,
  type Transaction,
} from 'firebase-admin/firestore';
import {
  bumpDataVersion,
  createXpEvent,
  recordOutboxEntry,
  removeTombstone,
  writeProgressWithOpeningBalance,
  writeTombstone,
} from '../data/firestore/userWrites';
import {
  deletedHabitXpEventId,
  ledgerSumOf,
  legacyXpEventId,
  overlapXpEventId,
} from '../data/firestore/xpLedger';
import type { UserPaths } from '../data/firestore/paths';
import type { z } from 'zod';
import {
  readStored,
  storedCompletion,
  storedHabit,
  storedStreak,
  storedTombstone,
} from '../data/firestore/storedDocuments';
import { recordDocumentId } from '../data/outbox/outboxEntry';
import { legacyRecordName } from '../data/legacy/legacyRecords';
import type { EntityChange } from '../data/entityChange';
import { habitIdOfCompletion } from '../domain/completion';
import { documentIdOf, isValidDocumentId } from '../domain/documentIds';
import type { Habit } from '../domain/habit';
import { emptyCounts, type MigrationCounts } from '../domain/migrationState';
import { xpForCount } from '../domain/progress';
import { dayDeletedWithHabitAt } from '../domain/conflictRule';
import {
  type Deletion,
  decideDeletion,
  decideUpsert,
  overlappingXpCount,
  type UpsertDecision,
  writtenVersion,
} from './backfillConflicts';
import type { LegacySource, MappedEntry } from '../data/legacy/mapping/legacyToFirestoreMapper';
import { type CopiedDay, pageStreakUpkeep } from './pageStreaks';
import { localDayAt } from '../domain/localDay';
import { settingsOrDefault } from '../domain/settings';

export { legacyXpEventId, overlapXpEventId } from '../data/firestore/xpLedger';

/**
 * The quarantine document of a record: its name URI-encoded (the ids quarantines always had),
 * escaped where Firestore still refuses that (`..`, `__x__`), and for a name that no escaping fits
 * in a document id, its hash: `%` after `~` is what no escaped id holds. The document carries
 * the record name itself.
 */
export function migrationErrorId(recordName: string): string {
  let encoded: string | undefined;
  try {
    encoded = documentIdOf(encodeURIComponent(recordName));
  } catch {
    // A lone surrogate: encodeURIComponent refuses it, and the hash below takes it.
  }
  if (encoded !== undefined && isValidDocumentId(encoded)) return encoded;
  return `~%sha256-${createHash('sha256').update(recordName).digest('hex')}`;
}

/** A habit's streak depends on its schedule and daily target, beside its days. */
function countsDaysDifferently(before: Habit, after: Habit): boolean {
  return (
    before.targetPerDay !== after.targetPerDay ||
    JSON.stringify(before.schedule) !== JSON.stringify(after.schedule)
  );
}

/**
 * The documents a page's decisions depend on, read in one round trip, and those it may take as
 * absent without reading them (a page of the user's only writer: see `planPage`).
 */
class PageReads {
  private readonly refs = new Map<string, DocumentReference>();
  private readonly assumedAbsent = new Set<string>();
  private snaps = new Map<string, DocumentSnapshot>();

  want(ref: DocumentReference): void {
    this.refs.set(ref.path, ref);
  }

  /** Absent unless something else on the page wants it read. */
  assumeAbsent(ref: DocumentReference): void {
    this.assumedAbsent.add(ref.path);
  }

  async load(read: (refs: DocumentReference[]) => Promise<DocumentSnapshot[]>): Promise<void> {
    const refs = [...this.refs.values()];
    const snaps = refs.length > 0 ? await read(refs) : [];
    this.snaps = new Map(snaps.map((snap) => [snap.ref.path, snap]));
  }

  get(ref: DocumentReference): DocumentSnapshot {
    const snap = this.snaps.get(ref.path);
    if (!snap) throw new Error(`${ref.path} was not read with its page`);
    return snap;
  }

  /** The document as `schema` reads it; undefined if absent, read so or assumed so. */
  stored<S extends z.ZodType>(schema: S, ref: DocumentReference): z.output<S> | undefined {
    return this.exists(ref) ? readStored(schema, this.get(ref)) : undefined;
  }

  exists(ref: DocumentReference): boolean {
    if (!this.snaps.has(ref.path) && this.assumedAbsent.has(ref.path)) return false;
    return this.get(ref).exists;
  }
}

type Write = (tx: Transaction) => void;

export interface PlannedPage {
  counts: MigrationCounts;
  /** Of the `skipped`, records this backend wrote itself, coming back through the feed. */
  echoes: number;
  /** CloudKit's modification time of the oldest record the page takes from CloudKit. */
  oldestChangeMs: number | undefined;
  /** Habits whose streak the page's writes may change: their days, schedule or target changed. */
  streaksChanged: string[];
  /**
   * For a page planned as the user's only writer (`context.soleWriter`): still so after it, at
   * this data version, or null (something else wrote, or the page writes a tombstone or an
   * outbox entry). Undefined for a page not planned so.
   */
  soleWriter?: { dataVersion: number } | null;
  /** Applies the page's writes; a dry run never calls it. */
  apply(tx: Transaction): void;
}

const countOf: Record<'habit' | 'completion' | 'xpEvent' | 'streak', keyof MigrationCounts> = {
  habit: 'habits',
  completion: 'completions',
  xpEvent: 'xp',
  streak: 'streaks',
};

/** Reads a page's documents in one round trip, in the order asked. */
export type PageDocumentsRead = (refs: DocumentReference[]) => Promise<DocumentSnapshot[]>;

/** What a page's plan takes from the run's state (the rest of its context is the page's own). */
export interface PlanInputs {
  /** Since when a CloudKit deletion on this page may have happened (domain/catchUp). */
  deletionsSince: string | null | undefined;
  /**
   * Only this run has written the user's data, up to `dataVersion` (the state's soleWriter).
   * Then no tombstone, outbox entry or API document exists, and a record CloudKit last
   * modified before `since` (the run's start, less a margin for clock skew) is met once in the
   * run's feed: its document is absent too. Those are not read. The page reads the data version
   * to confirm; if anything else wrote meanwhile, it is planned again with every read.
   */
  soleWriter?: { dataVersion: number; since: number };
}

/** Whether two states plan a page alike. */
export function samePlanInputs(a: PlanInputs, b: PlanInputs): boolean {
  return (
    a.deletionsSince === b.deletionsSince &&
    a.soleWriter?.dataVersion === b.soleWriter?.dataVersion &&
    a.soleWriter?.since === b.soleWriter?.since
  );
}

/**
 * Turns one page of mapped legacy entries into Firestore writes, applying the conflict rules of
 * backfillConflicts. Migrated documents add no XP of their own: the legacy XP events are the
 * opening balance, each one an idempotent document, so no run counts one twice.
 */
export async function planPage(
  paths: UserPaths,
  entries: readonly MappedEntry[],
  context: PlanInputs & {
    runId: string;
    now: string;
    /** Dual-write is on: what CloudKit must be told (corrections, kept copies) goes to the outbox. */
    dualWrite: boolean;
    /**
     * Skip records whose change tag is the one this backend's last delivery got back (a catch-up
     * following the feed). A first copy or a forced re-copy reads them as any record.
     */
    skipOwnWrites?: boolean;
  },
  read: PageDocumentsRead,
): Promise<PlannedPage> {
  const reads = new PageReads();
  const sole = context.soleWriter;
  /** A document only another writer (or an earlier page's copy of the record) could have written. */
  const wantUnlessSole = (ref: DocumentReference, onlyOthersWrite = true) =>
    sole && onlyOthersWrite ? reads.assumeAbsent(ref) : reads.want(ref);
  const metOnce = (source: LegacySource | undefined) =>
    source?.modifiedMs !== undefined && sole !== undefined && source.modifiedMs < sole.since;
  const tomb = (id: string) => paths.tombstones.doc(id);
  const copyOf = (source: LegacySource) =>
    paths.legacyCopies.doc(recordDocumentId(source.recordName));
  const outboxOf = (recordName: string) => paths.legacyOutbox.doc(recordDocumentId(recordName));
  reads.want(paths.sync);
  if (sole) reads.want(paths.settings);
  for (const entry of entries) {
    const source = 'source' in entry ? entry.source : undefined;
    if (context.skipOwnWrites && source) reads.want(copyOf(source));
    switch (entry.kind) {
      case 'habit':
        if (sole) reads.want(paths.streaks.doc(entry.id));
        wantUnlessSole(paths.habits.doc(entry.id), metOnce(source));
        wantUnlessSole(tomb(entry.id));
        wantUnlessSole(outboxOf(legacyRecordName('habit', entry.id)));
        break;
      case 'completion':
        if (sole) {
          reads.want(paths.habits.doc(entry.habitId));
          reads.want(paths.streaks.doc(entry.habitId));
        }
        wantUnlessSole(paths.completions.doc(entry.id), metOnce(source));
        wantUnlessSole(tomb(entry.id));
        wantUnlessSole(outboxOf(legacyRecordName('completion', entry.id)));
        wantUnlessSole(tomb(entry.habitId));
        wantUnlessSole(paths.xpEvents.doc(overlapXpEventId(entry.id)));
        reads.want(paths.progress);
        break;
      case 'xpEvent':
        if (entry.habitId) wantUnlessSole(tomb(entry.habitId));
        reads.want(paths.xpEvents.doc(legacyXpEventId(entry.id)));
        // An event this backend wrote to CloudKit itself (the API's, a correction) comes back
        // in the feed under its own id: it is in the ledger already.
        reads.want(paths.xpEvents.doc(entry.id));
        reads.want(paths.progress);
        break;
      case 'streak':
        reads.want(paths.streaks.doc(entry.habitId));
        wantUnlessSole(tomb(entry.habitId));
        break;
      case 'deleted':
        if (entry.target?.kind === 'habit' || entry.target?.kind === 'streak') {
          reads.want(paths.habits.doc(entry.target.id));
        }
        if (entry.target?.kind === 'completion') {
          reads.want(paths.completions.doc(entry.target.id));
        }
        reads.want(outboxOf(entry.recordName));
        break;
    }
  }
  await reads.load(read);
  const dataVersion = (reads.get(paths.sync).get('version') as number | undefined) ?? 0;
  if (sole && dataVersion !== sole.dataVersion) {
    // Something else wrote the user's data: nothing may be assumed from now on.
    const planned = await planPage(paths, entries, { ...context, soleWriter: undefined }, read);
    return { ...planned, soleWriter: null };
  }

  const counts = emptyCounts();
  /** The page writes what only other writers leave (a tombstone, an outbox entry). */
  let leavesOthersTrace = false;
  /** For the streaks an only writer keeps up as it copies (pageStreaks.ts). */
  const copiedDays: CopiedDay[] = [];
  const copiedHabits = new Map<string, Habit>();
  const copiedLegacyLongest = new Map<string, number>();
  let echoes = 0;
  let oldestChangeMs: number | undefined;
  const streaksChanged = new Set<string>();
  /** Streak records the old app deleted while Firestore keeps their habit, and habits it deletes. */
  const streaksToRestore = new Set<string>();
  const habitsDeleted = new Set<string>();
  const writes: Write[] = [];
  let xpDelta = 0;
  let legacyXpDelta = 0;
  const { now } = context;
  const count = (decision: UpsertDecision, kind: keyof typeof countOf) => {
    counts[decision === 'write' || decision === 'present' ? countOf[kind] : 'skipped'] += 1;
    return decision === 'write';
  };
  const tombstone = (id: string) => reads.stored(storedTombstone, tomb(id));
  const dated = (id: string): Deletion | undefined => {
    const found = tombstone(id);
    return found && { deletedAt: found.deletedAt, final: false };
  };
  /** CloudKit must hear of this record again: one outbox write (none without dual-write). */
  const deliver = (change: EntityChange) => {
    if (!context.dualWrite) return;
    leavesOthersTrace = true;
    writes.push((tx) => recordOutboxEntry(tx, paths, change, now));
  };
  /**
   * Firestore's copy (or deletion) won over the one CloudKit holds: CloudKit gets the winner,
   * unless a pending entry already carries it there.
   */
  const deliverWinner = (
    decision: UpsertDecision,
    change: EntityChange & { kind: 'habit' | 'completion' },
  ) => {
    if (decision !== 'keep_firestore' && decision !== 'keep_deleted') return;
    if (!reads.exists(outboxOf(legacyRecordName(change.kind, change.id)))) {
      deliver(change);
    }
  };
  /** A legacy copy that wins: Firestore's version still rises, and a tombstone it beat goes. */
  const writeWinner = <T extends { id: string; version: number; updatedAt: string }>(
    ref: DocumentReference,
    legacy: T,
    existing: T | undefined,
  ) => {
    const tombstoned = tombstone(legacy.id);
    const version = writtenVersion(legacy, existing, tombstoned?.version);
    if (tombstoned) leavesOthersTrace = true;
    writes.push((tx) => {
      tx.set(ref, { ...legacy, version });
      if (tombstoned) removeTombstone(tx, paths, legacy.id);
    });
  };

  for (const entry of entries) {
    const source = 'source' in entry ? entry.source : undefined;
    if (source) {
      // The change tag this backend's last write to the record got back: the record is ours,
      // already in Firestore as it was or newer. Deliveries take it from here.
      const copy = context.skipOwnWrites ? reads.get(copyOf(source)) : undefined;
      if (copy?.exists && copy.get('recordChangeTag') === source.recordChangeTag) {
        echoes += 1;
        counts.skipped += 1;
        continue;
      }
      if (source.modifiedMs !== undefined) {
        oldestChangeMs = Math.min(oldestChangeMs ?? Infinity, source.modifiedMs);
      }
    }
    switch (entry.kind) {
      case 'habit': {
        const ref = paths.habits.doc(entry.id);
        const existing = reads.stored(storedHabit, ref);
        const decision = decideUpsert(entry.habit, existing, dated(entry.id));
        if (count(decision, 'habit')) {
          writeWinner(ref, entry.habit, existing);
          copiedHabits.set(entry.id, entry.habit);
          if (!existing || countsDaysDifferently(existing, entry.habit))
            streaksChanged.add(entry.id);
        }
        deliverWinner(decision, { kind: 'habit', id: entry.id });
        break;
      }
      case 'completion': {
        const ref = paths.completions.doc(entry.id);
        const existing = reads.stored(storedCompletion, ref);
        const habitDeletion = tombstone(entry.habitId);
        const deletion: Deletion | undefined = habitDeletion
          ? { deletedAt: habitDeletion.deletedAt, final: true }
          : dated(entry.id);
        const decision = decideUpsert(entry.completion, existing, deletion);
        if (habitDeletion && decision === 'keep_deleted' && !existing) {
          // The day's own tombstone: if a later old-app edit brings the habit back, its tombstone
          // goes, and delivery must still remove this day from CloudKit.
          const deletedAt = dayDeletedWithHabitAt(
            habitDeletion.deletedAt,
            entry.completion.updatedAt,
          );
          const own = tombstone(entry.id);
          if (!own || Date.parse(own.deletedAt) < Date.parse(deletedAt)) {
            leavesOthersTrace = true;
            const version = own?.version ?? entry.completion.version;
            writes.push((tx) =>
              writeTombstone(tx, paths, { kind: 'completion', id: entry.id, version }, deletedAt),
            );
          }
        }
        if (count(decision, 'completion')) {
          writeWinner(ref, entry.completion, existing);
          const { habitId, date, count: dayCount } = entry.completion;
          copiedDays.push({ habitId, date, count: dayCount });
          streaksChanged.add(entry.habitId);
        }
        deliverWinner(decision, { kind: 'completion', id: entry.id });
        const overlap = xpForCount(overlappingXpCount(entry.completion, existing, decision));
        const overlapRef = paths.xpEvents.doc(overlapXpEventId(entry.id));
        if (overlap > 0 && !reads.exists(overlapRef)) {
          xpDelta -= overlap;
          writes.push((tx) =>
            createXpEvent(
              tx,
              overlapRef,
              {
                delta: -overlap,
                reason: 'legacy-overlap',
                habitId: entry.habitId,
                completionId: entry.id,
              },
              now,
            ),
          );
          deliver({ kind: 'xpEvent', id: overlapRef.id });
        }
        break;
      }
      case 'xpEvent': {
        const ref = paths.xpEvents.doc(legacyXpEventId(entry.id));
        counts.xp += 1;
        if (reads.exists(ref) || reads.exists(paths.xpEvents.doc(entry.id))) break;
        xpDelta += entry.amount;
        legacyXpDelta += entry.amount;
        const attribution = {
          ...(entry.habitId && { habitId: entry.habitId }),
          ...(entry.completionId && { completionId: entry.completionId }),
        };
        writes.push((tx) =>
          createXpEvent(
            tx,
            ref,
            {
              delta: entry.amount,
              reason: 'legacy-opening-balance',
              ...attribution,
              occurredAt: entry.occurredAt,
            },
            now,
          ),
        );
        // XP earned for a habit the user deleted through the API never counts: the deletion took
        // back what the ledger held for it, and what arrives later is taken back as it arrives.
        if (entry.habitId && reads.exists(tomb(entry.habitId)) && entry.amount !== 0) {
          const correction = paths.xpEvents.doc(deletedHabitXpEventId(entry.id));
          xpDelta -= entry.amount;
          writes.push((tx) =>
            createXpEvent(
              tx,
              correction,
              { delta: -entry.amount, reason: 'legacy-deleted-habit', ...attribution },
              now,
            ),
          );
          deliver({ kind: 'xpEvent', id: correction.id });
        }
        break;
      }
      case 'streak': {
        if (reads.exists(tomb(entry.habitId))) {
          counts.skipped += 1;
          break;
        }
        counts.streaks += 1;
        const ref = paths.streaks.doc(entry.habitId);
        const existing = reads.stored(storedStreak, ref);
        const legacyLongest = entry.streak.longest;
        // The completions decide current and lastCompletedDate when the run completes; until
        // then the legacy numbers are the best answer, and the longest run is kept as a floor.
        const streak = existing
          ? { longest: Math.max(existing.longest, legacyLongest) }
          : entry.streak;
        copiedLegacyLongest.set(entry.habitId, legacyLongest);
        writes.push((tx) =>
          tx.set(ref, { ...streak, legacyLongest, updatedAt: now }, { merge: true }),
        );
        break;
      }
      case 'deleted': {
        const target = entry.target;
        if (target?.kind === 'streak') {
          // The old app deleted a habit with its streak, but Firestore keeps the habit (edited
          // here since): CloudKit gets its streak back along with it.
          const undelivered = reads.exists(outboxOf(entry.recordName));
          if (reads.exists(paths.habits.doc(target.id)) && !undelivered) {
            streaksToRestore.add(target.id);
          }
          counts.skipped += 1;
          break;
        }
        const ref =
          target?.kind === 'habit'
            ? paths.habits.doc(target.id)
            : target?.kind === 'completion'
              ? paths.completions.doc(target.id)
              : undefined;
        if (!ref || !target) {
          counts.skipped += 1;
          break;
        }
        const snap = reads.get(ref);
        const existing = snap.exists
          ? { updatedAt: snap.get('updatedAt') as string, version: snap.get('version') as number }
          : undefined;
        const undelivered = reads.exists(outboxOf(entry.recordName));
        const decision = decideDeletion(existing, context.deletionsSince, undelivered);
        if (decision === 'keep_firestore' && !undelivered) deliver(target);
        if (decision === 'keep_firestore' || !existing) {
          counts[decision === 'absent' ? 'deleted' : 'skipped'] += 1;
          break;
        }
        counts.deleted += 1;
        leavesOthersTrace = true;
        // Only a habit or a completion has a document to delete (`ref` above).
        const kind = target.kind === 'completion' ? 'completion' : 'habit';
        if (kind === 'completion') streaksChanged.add(habitIdOfCompletion(target.id));
        else habitsDeleted.add(target.id);
        writes.push((tx) => {
          // A deleted habit's streak stays behind: every reader skips streaks of absent habits,
          // and it keeps each record at two writes (BACKFILL_BATCH_SIZE_MAX).
          tx.delete(ref);
          writeTombstone(tx, paths, { kind, id: target.id, version: existing.version }, now);
        });
        break;
      }
      case 'failure':
        counts.quarantined += 1;
        writes.push((tx) =>
          tx.set(paths.migrationErrors.doc(migrationErrorId(entry.recordName)), {
            recordName: entry.recordName,
            reason: entry.reason,
            runId: context.runId,
            at: now,
          }),
        );
        break;
    }
  }

  if (sole) {
    const today = localDayAt(
      new Date(now),
      settingsOrDefault(reads.get(paths.settings).data()).timeZone,
    );
    const upkeep = pageStreakUpkeep({
      runId: context.runId,
      now,
      today,
      days: copiedDays,
      habits: copiedHabits,
      legacyLongest: copiedLegacyLongest,
      storedHabit: (id) => reads.stored(storedHabit, paths.habits.doc(id)),
      streakSnapshot: (id) => reads.get(paths.streaks.doc(id)),
    });
    for (const { habitId, document } of upkeep) {
      // Merged: the legacy figures a streak record brought stay.
      writes.push((tx) => tx.set(paths.streaks.doc(habitId), document, { merge: true }));
    }
  }

  for (const habitId of streaksToRestore) {
    if (!habitsDeleted.has(habitId)) deliver({ kind: 'streak', id: habitId });
  }

  if (xpDelta !== 0 || legacyXpDelta !== 0) {
    const snap = reads.get(paths.progress);
    const previous = ledgerSumOf(snap);
    const legacyXp = ((snap.get('legacyXp') as number | undefined) ?? 0) + legacyXpDelta;
    writes.push((tx) =>
      writeProgressWithOpeningBalance(tx, paths, previous + xpDelta, legacyXp, now),
    );
  }

  return {
    counts,
    echoes,
    oldestChangeMs,
    streaksChanged: [...streaksChanged],
    ...(sole && {
      soleWriter: leavesOthersTrace
        ? null
        : { dataVersion: dataVersion + (writes.length > 0 ? 1 : 0) },
    }),
    apply(tx) {
      for (const write of writes) write(tx);
      // Every reader holding the old data version must learn that the user's data changed.
      if (writes.length > 0) {
        bumpDataVersion(tx, paths, now);
      }
    },
  };
}
