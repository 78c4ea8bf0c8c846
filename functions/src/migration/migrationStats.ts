import { AggregateField, type Firestore, type Query } from 'firebase-admin/firestore';
import { dueForCatchUp } from './catchUpSweep';
import { migratedCount, migrationCountKeys, migrationStatuses } from '../domain/migrationState';

export interface MigrationStats {
  /** Users with a migration state, per status; users never queued have none (not_started). */
  usersByStatus: Record<string, number>;
  /** Legacy records per outcome, summed over every user's current run. */
  records: Record<string, number>;
  recordsMigrated: number;
  failures: { users: number; quarantinedRecords: number };
  /** Over completed runs: from the first batch's start to completion. */
  migrationTimeMs: { average: number | null; p95: number | null; completedRuns: number };
  catchUp: CatchUpStats;
}

export interface CatchUpStats {
  /** Migrated users whose CloudKit change feed is followed. */
  following: number;
  /** Of those, users whose last catch-up started before `dueBefore` (the schedule's next work). */
  overdue: number;
  dueBefore: string;
  /** Migrated users dropped from the schedule for want of a token, until they link again. */
  awaitingLink: number;
  /** CloudKit changes read by catch-ups, those taken into Firestore, and this backend's own. */
  changes: number;
  applied: number;
  echoes: number;
}

/**
 * Aggregation queries over every user's users/{uid}/meta/migration: the work is done by Firestore,
 * so the cost does not grow with the number of users held in memory (none are).
 */
export async function migrationStats(
  db: Firestore,
  catchUpDueBefore: Date,
): Promise<MigrationStats> {
  const states = db.collectionGroup('meta').where('dryRun', '==', false);
  const [statusCounts, sums, durations, catchUp] = await Promise.all([
    Promise.all(
      migrationStatuses.map(async (status) => {
        const snap = await states.where('status', '==', status).count().get();
        return [status, snap.data().count] as const;
      }),
    ),
    sumCounts(states),
    durationStats(states.where('durationMs', '>=', 0)),
    catchUpStats(db, catchUpDueBefore.toISOString()),
  ]);
  const records = sums;
  const usersByStatus = Object.fromEntries(statusCounts.filter(([, n]) => n > 0));
  return {
    usersByStatus,
    records,
    recordsMigrated: migratedCount(records),
    failures: { users: usersByStatus.failed ?? 0, quarantinedRecords: records.quarantined },
    migrationTimeMs: durations,
    catchUp,
  };
}

async function catchUpStats(db: Firestore, dueBefore: string): Promise<CatchUpStats> {
  const followed = db.collectionGroup('meta').where('catchUp.following', '==', true);
  const count = async (query: Query) => (await query.count().get()).data().count;
  // Counted apart from the sums: an aggregation that sums a field leaves out the documents that
  // lack it (as a user followed but never caught up since the first copy).
  const [following, totals, overdue, awaitingLink] = await Promise.all([
    count(followed),
    followed
      .aggregate({
        changes: AggregateField.sum('catchUp.changes'),
        echoes: AggregateField.sum('catchUp.echoes'),
        skipped: AggregateField.sum('catchUp.counts.skipped'),
        quarantined: AggregateField.sum('catchUp.counts.quarantined'),
      })
      .get(),
    count(dueForCatchUp(db, dueBefore)),
    count(db.collectionGroup('meta').where('catchUp.following', '==', false)),
  ]);
  const sum = totals.data() as Record<string, number | null>;
  const changes = Number(sum.changes ?? 0);
  return {
    following,
    overdue,
    dueBefore,
    awaitingLink,
    changes,
    applied: changes - Number(sum.skipped ?? 0) - Number(sum.quarantined ?? 0),
    echoes: Number(sum.echoes ?? 0),
  };
}

/** Firestore allows five aggregations per query: the count keys are summed in groups. */
const AGGREGATIONS_PER_QUERY = 5;

async function sumCounts(states: Query): Promise<Record<string, number>> {
  const groups: string[][] = [];
  for (let i = 0; i < migrationCountKeys.length; i += AGGREGATIONS_PER_QUERY) {
    groups.push(migrationCountKeys.slice(i, i + AGGREGATIONS_PER_QUERY));
  }
  const answers = await Promise.all(
    groups.map((keys) =>
      states
        .aggregate(
          Object.fromEntries(keys.map((key) => [key, AggregateField.sum(`counts.${key}`)])),
        )
        .get(),
    ),
  );
  return Object.fromEntries(
    answers.flatMap((answer, i) => groups[i].map((key) => [key, Number(answer.data()[key] ?? 0)])),
  );
}

async function durationStats(completed: Query): Promise<MigrationStats['migrationTimeMs']> {
  const summary = await completed
    .aggregate({ runs: AggregateField.count(), average: AggregateField.average('durationMs') })
    .get();
  const { runs, average } = summary.data();
  if (runs === 0) return { average: null, p95: null, completedRuns: 0 };
  // The nearest-rank 95th percentile, read as the one document at that rank.
  const rank = Math.ceil(0.95 * runs) - 1;
  const atRank = await completed.orderBy('durationMs').offset(rank).limit(1).get();
  return {
    average: average === null ? null : Math.round(average),
    p95: (atRank.docs[0]?.get('durationMs') as number | undefined) ?? null,
    completedRuns: runs,
  };
}
