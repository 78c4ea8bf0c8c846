import {
  migratedCount,
  migrationCountKeys,
  type MigrationState,
  migrationStatuses,
} from './migrationState';

/**
 * Migration statistics as counters: every stored state contributes a fixed set of numbers, and
 * the statistics are the sums of those contributions over all users. Whoever writes a state adds
 * `statsDelta(before, after)` in the same commit, so the sums stay exact however many users there
 * are, and reading them costs the same for 1k users as for 1M. Everything here is pure.
 */

/** Counter name (`group.key`, stored as a nested field) to value. */
export type StatsCounters = Record<string, number>;

/**
 * Upper bounds of the duration histogram's buckets, in ms: 100 ms times 2^(k/4), so each bucket
 * is about 19% wider than the one before and a p95 read as its bucket's bound is at most 19% high.
 * The last (about 155 days) also holds every longer run. Part of the stored format: changing the
 * bounds needs `ops stats --rebuild`.
 */
export const DURATION_BUCKET_BOUNDS_MS: readonly number[] = Array.from({ length: 109 }, (_, k) =>
  Math.round(100 * 2 ** (k / 4)),
);

export function durationBucket(durationMs: number): number {
  const i = DURATION_BUCKET_BOUNDS_MS.findIndex((bound) => durationMs <= bound);
  return i === -1 ? DURATION_BUCKET_BOUNDS_MS.length - 1 : i;
}

const bucketKey = (i: number) => `durations.le${DURATION_BUCKET_BOUNDS_MS[i]}`;

/**
 * What one stored state adds to the statistics. Only states marked as the real run count: a dry
 * run's state (meta/migrationDryRun) and a document written before the mark existed add nothing,
 * the same documents the statistics' queries used to leave out.
 */
export function statsContribution(state: MigrationState | undefined): StatsCounters {
  if (!state || state.dryRun !== false) return {};
  const out: StatsCounters = { [`users.${state.status}`]: 1 };
  for (const key of migrationCountKeys) out[`records.${key}`] = state.counts?.[key] ?? 0;
  const duration = state.durationMs;
  if (typeof duration === 'number' && duration >= 0) {
    out['runs.completed'] = 1;
    out['runs.durationMs'] = duration;
    out[bucketKey(durationBucket(duration))] = 1;
  }
  const catchUp = state.catchUp;
  if (catchUp?.following === true) {
    out['catchUp.following'] = 1;
    out['catchUp.changes'] = catchUp.changes ?? 0;
    out['catchUp.echoes'] = catchUp.echoes ?? 0;
    out['catchUp.skipped'] = catchUp.counts?.skipped ?? 0;
    out['catchUp.quarantined'] = catchUp.counts?.quarantined ?? 0;
  } else if (catchUp?.following === false) {
    out['catchUp.awaitingLink'] = 1;
  }
  return out;
}

/**
 * The change to the counters when a user's stored state goes from `before` to `after` (undefined:
 * no document). Only non-zero entries: a write that changes nothing counted (a lease renewal, a
 * duplicate task's no-op) needs no counter write.
 */
export function statsDelta(
  before: MigrationState | undefined,
  after: MigrationState | undefined,
): StatsCounters {
  return subtractCounters(statsContribution(after), statsContribution(before));
}

export function addCounters(a: StatsCounters, b: StatsCounters): StatsCounters {
  const out = { ...a };
  for (const [key, n] of Object.entries(b)) out[key] = (out[key] ?? 0) + n;
  return out;
}

/** `a - b`, only the non-zero entries: empty when the two agree. */
export function subtractCounters(a: StatsCounters, b: StatsCounters): StatsCounters {
  const out: StatsCounters = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const n = (a[key] ?? 0) - (b[key] ?? 0);
    if (n !== 0) out[key] = n;
  }
  return out;
}

export interface MigrationStats {
  /** Users with a migration state, per status; users never queued have none (not_started). */
  usersByStatus: Record<string, number>;
  /** Legacy records per outcome, summed over every user's current run. */
  records: Record<string, number>;
  recordsMigrated: number;
  failures: { users: number; quarantinedRecords: number };
  /**
   * Over completed runs: from the first batch's start to completion. `p95` is the upper bound of
   * the histogram bucket holding the 95th percentile (DURATION_BUCKET_BOUNDS_MS), not a measured run.
   */
  migrationTimeMs: { average: number | null; p95: number | null; completedRuns: number };
  catchUp: CatchUpStats;
}

export interface CatchUpStats {
  /** Migrated users whose CloudKit change feed is followed. */
  following: number;
  /** Of those, users whose last catch-up started before `dueBefore` (the schedule's next work). */
  overdue: number;
  /** `overdue` reached the cap of its bounded count: at least that many are overdue. */
  overdueAtLeast: boolean;
  dueBefore: string;
  /** Migrated users dropped from the schedule for want of a token, until they link again. */
  awaitingLink: number;
  /** CloudKit changes read by catch-ups, those taken into Firestore, and this backend's own. */
  changes: number;
  applied: number;
  echoes: number;
}

/** The statistics from the summed counters; `overdue` is counted apart (it depends on the time). */
export function statsFromCounters(
  totals: StatsCounters,
  overdue: { count: number; atLeast: boolean; dueBefore: string },
): MigrationStats {
  const n = (key: string) => totals[key] ?? 0;
  const usersByStatus = Object.fromEntries(
    migrationStatuses.map((s) => [s, n(`users.${s}`)] as const).filter(([, count]) => count > 0),
  );
  const records = Object.fromEntries(migrationCountKeys.map((key) => [key, n(`records.${key}`)]));
  const changes = n('catchUp.changes');
  return {
    usersByStatus,
    records,
    recordsMigrated: migratedCount(records),
    failures: { users: usersByStatus.failed ?? 0, quarantinedRecords: records.quarantined },
    migrationTimeMs: durationStats(totals),
    catchUp: {
      following: n('catchUp.following'),
      overdue: overdue.count,
      overdueAtLeast: overdue.atLeast,
      dueBefore: overdue.dueBefore,
      awaitingLink: n('catchUp.awaitingLink'),
      changes,
      applied: changes - n('catchUp.skipped') - n('catchUp.quarantined'),
      echoes: n('catchUp.echoes'),
    },
  };
}

function durationStats(totals: StatsCounters): MigrationStats['migrationTimeMs'] {
  const runs = totals['runs.completed'] ?? 0;
  if (runs <= 0) return { average: null, p95: null, completedRuns: 0 };
  // The nearest-rank 95th percentile: the first bucket whose running total reaches that rank.
  const rank = Math.ceil(0.95 * runs);
  let seen = 0;
  let p95: number | null = null;
  for (let i = 0; i < DURATION_BUCKET_BOUNDS_MS.length && p95 === null; i += 1) {
    seen += totals[bucketKey(i)] ?? 0;
    if (seen >= rank) p95 = DURATION_BUCKET_BOUNDS_MS[i];
  }
  return {
    average: Math.round((totals['runs.durationMs'] ?? 0) / runs),
    p95,
    completedRuns: runs,
  };
}
