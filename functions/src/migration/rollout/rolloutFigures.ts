import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../../config';
import type { RolloutFigures } from '../../domain/rolloutGates';
import { type TelemetryReport, telemetryReport } from '../../telemetry/telemetryReport';
import { type ConsistencySummary, consistencySummary } from '../consistency/consistencyRecords';
import { type MigrationStats, migrationStats } from '../migrationStats';

/** Users whose data is not (all) in Firestore yet: their run has not ended well. */
const NOT_MIGRATED = ['queued', 'running', 'failed', 'awaiting_link'];

/**
 * Pending outbox entries, now: a capped count() and the oldest by `updatedAt`, both through the
 * collection-group index on legacyOutbox (status, updatedAt) — two reads, whatever the backlog.
 */
export async function pendingOutbox(db: Firestore, now: Date) {
  const pending = db.collectionGroup('legacyOutbox').where('status', '==', 'pending');
  const cap = config.rollout.pendingCountCap;
  const [count, oldest] = await Promise.all([
    pending.limit(cap).count().get(),
    pending.orderBy('updatedAt').limit(1).select('updatedAt').get(),
  ]);
  const n = count.data().count;
  const updatedAt = oldest.docs[0]?.get('updatedAt') as string | undefined;
  return {
    pendingOutboxEntries: { count: n, atLeast: n >= cap },
    // Clock skew between the writer and this machine must not show as a negative age.
    oldestPendingAgeMs:
      updatedAt === undefined ? null : Math.max(0, now.getTime() - Date.parse(updatedAt)),
  };
}

export type PendingOutbox = Awaited<ReturnType<typeof pendingOutbox>>;

/** What the gates' figures are made of; the dashboard reads these once and shares them. */
export interface RolloutInputs {
  telemetry: TelemetryReport;
  stats: MigrationStats;
  consistency: ConsistencySummary;
  outbox: PendingOutbox;
}

/**
 * What the rollout's gates judge, at a constant cost in users and traffic: the telemetry counters
 * of the window (at most `config.telemetry.shards` reads per hour), the migration statistics
 * counters, the consistency totals and two outbox queries.
 */
export async function rolloutFigures(
  db: Firestore,
  window: { since: Date; now: Date },
  catchUpDueBefore: Date,
): Promise<RolloutFigures> {
  const { since, now } = window;
  const [telemetry, stats, consistency, outbox] = await Promise.all([
    telemetryReport(db, since, now),
    migrationStats(db, catchUpDueBefore),
    consistencySummary(db),
    pendingOutbox(db, now),
  ]);
  return figuresOf({ telemetry, stats, consistency, outbox }, now);
}

/** The gates' figures from what was read. */
export function figuresOf(inputs: RolloutInputs, now: Date): RolloutFigures {
  const { telemetry, stats, consistency, outbox } = inputs;
  const { primary, secondary, failedEntries } = telemetry.dualWrite;
  const { completion } = telemetry.migration;
  return {
    since: telemetry.since,
    until: now.toISOString(),
    primaryWrites: { success: primary.success, failure: primary.failure },
    secondaryDeliveries: { success: secondary.success, failure: secondary.failure },
    failedOutboxEntries: failedEntries,
    ...outbox,
    writeLatencyP95Ms: {
      dualWrite: telemetry.writeLatency.dualWrite.p95Ms,
      firestoreOnly: telemetry.writeLatency.firestoreOnly.p95Ms,
    },
    migrationRuns: { success: completion.success, failure: completion.failure },
    usersNotMigrated: NOT_MIGRATED.reduce((n, s) => n + (stats.usersByStatus[s] ?? 0), 0),
    catchUpOverdue: { count: stats.catchUp.overdue, atLeast: stats.catchUp.overdueAtLeast },
    consistency: {
      records: consistency.verification.records,
      consistent: consistency.verification.consistent,
      openInconsistencies: consistency.openInconsistencies,
    },
  };
}
