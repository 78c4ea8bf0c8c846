import {
  type DocumentReference,
  type DocumentSnapshot,
  type Transaction,
} from 'firebase-admin/firestore';
import { syncVersionBump } from '../data/firestore/syncVersion';
import type { UserPaths } from '../data/firestore/paths';
import {
  readStoredIfExists,
  storedCompletion,
  storedHabit,
  storedProgress,
  storedStreak,
} from '../data/firestore/storedDocuments';
import { emptyCounts, type MigrationCounts } from '../domain/migrationState';
import { progressFromXp, xpForCount } from '../domain/progress';
import {
  decideDeletion,
  decideUpsert,
  overlappingXpCount,
  type UpsertDecision,
} from './backfillConflicts';
import type { MappedEntry } from './legacyToFirestoreMapper';

/** The Firestore id of a migrated legacy XP event: one document per event, so it counts once. */
export const legacyXpEventId = (id: string) => `legacy-${id}`;

/** The one correction of a day logged both through the API and in the legacy store. */
export const overlapXpEventId = (completionId: string) => `legacy-overlap-${completionId}`;

/** Record names are CloudKit's; a document id must not contain '/'. */
export const migrationErrorId = (recordName: string) => encodeURIComponent(recordName);

/** The documents a page's decisions depend on, read in one round trip. */
class PageReads {
  private readonly refs = new Map<string, DocumentReference>();
  private snaps = new Map<string, DocumentSnapshot>();

  want(ref: DocumentReference): void {
    this.refs.set(ref.path, ref);
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

  exists(ref: DocumentReference): boolean {
    return this.get(ref).exists;
  }
}

type Write = (tx: Transaction) => void;

export interface PlannedPage {
  counts: MigrationCounts;
  /** Applies the page's writes; a dry run never calls it. */
  apply(tx: Transaction): void;
}

const countOf: Record<'habit' | 'completion' | 'xpEvent' | 'streak', keyof MigrationCounts> = {
  habit: 'habits',
  completion: 'completions',
  xpEvent: 'xp',
  streak: 'streaks',
};

/**
 * Turns one page of mapped legacy entries into Firestore writes, applying the conflict rules of
 * backfillConflicts. Migrated documents add no XP of their own: the legacy XP events are the
 * opening balance, each one an idempotent document, so no run counts one twice.
 */
export async function planPage(
  paths: UserPaths,
  entries: readonly MappedEntry[],
  context: { runId: string; runStartedAt: string | null | undefined; now: string },
  read: (refs: DocumentReference[]) => Promise<DocumentSnapshot[]>,
): Promise<PlannedPage> {
  const reads = new PageReads();
  const tomb = (id: string) => paths.tombstones.doc(id);
  for (const entry of entries) {
    switch (entry.kind) {
      case 'habit':
        reads.want(paths.habits.doc(entry.id));
        reads.want(tomb(entry.id));
        break;
      case 'completion':
        reads.want(paths.completions.doc(entry.id));
        reads.want(tomb(entry.id));
        reads.want(tomb(entry.habitId));
        reads.want(paths.xpEvents.doc(overlapXpEventId(entry.id)));
        reads.want(paths.progress);
        break;
      case 'xpEvent':
        reads.want(paths.xpEvents.doc(legacyXpEventId(entry.id)));
        reads.want(paths.progress);
        break;
      case 'streak':
        reads.want(paths.streaks.doc(entry.habitId));
        reads.want(tomb(entry.habitId));
        break;
      case 'deleted':
        if (entry.target?.kind === 'habit') reads.want(paths.habits.doc(entry.target.id));
        if (entry.target?.kind === 'completion') {
          reads.want(paths.completions.doc(entry.target.id));
        }
        break;
    }
  }
  await reads.load(read);

  const counts = emptyCounts();
  const writes: Write[] = [];
  let xpDelta = 0;
  let legacyXpDelta = 0;
  const { now } = context;
  const count = (decision: UpsertDecision, kind: keyof typeof countOf) => {
    counts[decision === 'write' || decision === 'present' ? countOf[kind] : 'skipped'] += 1;
    return decision === 'write';
  };

  for (const entry of entries) {
    switch (entry.kind) {
      case 'habit': {
        const ref = paths.habits.doc(entry.id);
        const existing = readStoredIfExists(storedHabit, reads.get(ref));
        const decision = decideUpsert(entry.habit, existing, reads.exists(tomb(entry.id)));
        if (count(decision, 'habit')) writes.push((tx) => tx.set(ref, entry.habit));
        break;
      }
      case 'completion': {
        const ref = paths.completions.doc(entry.id);
        const existing = readStoredIfExists(storedCompletion, reads.get(ref));
        const deleted = reads.exists(tomb(entry.id)) || reads.exists(tomb(entry.habitId));
        const decision = decideUpsert(entry.completion, existing, deleted);
        if (count(decision, 'completion')) writes.push((tx) => tx.set(ref, entry.completion));
        const overlap = xpForCount(overlappingXpCount(entry.completion, existing, decision));
        const overlapRef = paths.xpEvents.doc(overlapXpEventId(entry.id));
        if (overlap > 0 && !reads.exists(overlapRef)) {
          xpDelta -= overlap;
          writes.push((tx) =>
            tx.create(overlapRef, {
              delta: -overlap,
              reason: 'legacy-overlap',
              habitId: entry.habitId,
              completionId: entry.id,
              createdAt: now,
            }),
          );
        }
        break;
      }
      case 'xpEvent': {
        const ref = paths.xpEvents.doc(legacyXpEventId(entry.id));
        counts.xp += 1;
        if (reads.exists(ref)) break;
        xpDelta += entry.amount;
        legacyXpDelta += entry.amount;
        writes.push((tx) =>
          tx.create(ref, {
            delta: entry.amount,
            reason: 'legacy-opening-balance',
            occurredAt: entry.occurredAt,
            createdAt: now,
          }),
        );
        break;
      }
      case 'streak': {
        if (reads.exists(tomb(entry.habitId))) {
          counts.skipped += 1;
          break;
        }
        counts.streaks += 1;
        const ref = paths.streaks.doc(entry.habitId);
        const existing = readStoredIfExists(storedStreak, reads.get(ref));
        const legacyLongest = entry.streak.longest;
        // The completions decide current and lastCompletedDate when the run completes; until
        // then the legacy numbers are the best answer, and the longest run is kept as a floor.
        const streak = existing
          ? { longest: Math.max(existing.longest, legacyLongest) }
          : entry.streak;
        writes.push((tx) =>
          tx.set(ref, { ...streak, legacyLongest, updatedAt: now }, { merge: true }),
        );
        break;
      }
      case 'deleted': {
        const target = entry.target;
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
        const decision = decideDeletion(existing, context.runStartedAt);
        if (decision === 'keep_firestore' || !existing) {
          counts[decision === 'absent' ? 'deleted' : 'skipped'] += 1;
          break;
        }
        counts.deleted += 1;
        writes.push((tx) => {
          // A deleted habit's streak stays behind: every reader skips streaks of absent habits,
          // and it keeps each record at two writes (BACKFILL_BATCH_SIZE_MAX).
          tx.delete(ref);
          tx.set(tomb(target.id), {
            kind: target.kind,
            version: existing.version + 1,
            deletedAt: now,
          });
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

  if (xpDelta !== 0 || legacyXpDelta !== 0) {
    const snap = reads.get(paths.progress);
    const previous = readStoredIfExists(storedProgress, snap)?.totalXp ?? 0;
    const legacyXp = ((snap.get('legacyXp') as number | undefined) ?? 0) + legacyXpDelta;
    writes.push((tx) =>
      tx.set(paths.progress, { ...progressFromXp(previous + xpDelta), legacyXp, updatedAt: now }),
    );
  }

  return {
    counts,
    apply(tx) {
      for (const write of writes) write(tx);
      // Every reader holding the old data version must learn that the user's data changed.
      if (writes.length > 0) {
        tx.set(paths.sync, syncVersionBump(now), { merge: true });
      }
    },
  };
}
