import type { Firestore } from 'firebase-admin/firestore';
import { type MigrationStats, statsFromCounters } from '../domain/migrationStats';
import { config } from '../config';
import { dueForCatchUp } from './catchUpSweep';
import { readStatsCounters } from './migrationStatsCounters';

export type { CatchUpStats, MigrationStats } from '../domain/migrationStats';

/**
 * `admin-migrationStats` and `ops status`: the counters that state changes maintain
 * (migrationStatsCounters), so the cost is constant in the number of users and runs — at most
 * `migrationStatsShards` shard documents and one capped count.
 *
 * `overdue` depends on the time asked about, so no counter maintained at write time can hold it:
 * it is a count() of the schedule's own query capped at `migrationStatsOverdueCap` (billed as one
 * read), reported with `overdueAtLeast` when the cap is reached. Operators need "none", "a few"
 * or "many" before a cutover, not the exact size of a large backlog.
 */
export async function migrationStats(
  db: Firestore,
  catchUpDueBefore: Date,
): Promise<MigrationStats> {
  const dueBefore = catchUpDueBefore.toISOString();
  const cap = config.migrationStatsOverdueCap;
  const [totals, overdue] = await Promise.all([
    readStatsCounters(db),
    dueForCatchUp(db, dueBefore).limit(cap).count().get(),
  ]);
  const count = overdue.data().count;
  return statsFromCounters(totals, { count, atLeast: count >= cap, dueBefore });
}
