import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../config';
import { hourKey, shardsOfHour } from './firestoreTelemetry';
import { latencySummary } from './latencyHistogram';
import { telemetryEvents, telemetryTargets } from './telemetryEvents';

const HOUR_MS = 3_600_000;

type Counts = Record<string, Record<string, number>>;

function rate(success: number, failure: number, target: number) {
  const total = success + failure;
  const value = total === 0 ? null : success / total;
  return { success, failure, rate: value, target, pass: value === null ? null : value > target };
}

/** A rate as admin-telemetry reports it: counts, the rate, its target and whether it passes. */
export type Rate = ReturnType<typeof rate>;

/** Mean latency of an event's outcomes that carried one (latencyMsTotal / their count). */
function average(event: Record<string, number> | undefined, outcome: string): number | null {
  const n = event?.[outcome] ?? 0;
  return n > 0 && event?.latencyMsTotal !== undefined ? Math.round(event.latencyMsTotal / n) : null;
}

function latencyComparison(counts: Record<string, number> | undefined) {
  const dualWrite = latencySummary(counts, 'dualWrite');
  const firestoreOnly = latencySummary(counts, 'firestoreOnly');
  const ratio =
    dualWrite.p95Ms !== null && firestoreOnly.p95Ms !== null && firestoreOnly.p95Ms > 0
      ? Math.round((dualWrite.p95Ms / firestoreOnly.p95Ms) * 100) / 100
      : null;
  return { dualWrite, firestoreOnly, p95Ratio: ratio };
}

/**
 * Sums the counters of every hour from `since` to now and judges them against the targets. Only
 * shards that instances flushed to exist, so a report reads at most `config.telemetry.shards`
 * documents per hour, whatever the event rate (the default day: 25 hours).
 */
export async function telemetryReport(db: Firestore, since: Date, now: Date) {
  const first = Math.max(since.getTime(), now.getTime() - config.telemetryReportMaxHours * HOUR_MS);
  const hours: string[] = [];
  for (let t = first; t <= now.getTime() + HOUR_MS - 1; t += HOUR_MS) {
    const key = hourKey(new Date(t));
    if (hours[hours.length - 1] !== key) hours.push(key);
  }
  const counts: Counts = {};
  const [failedEntries, ...snaps] = await Promise.all([
    db.collectionGroup('legacyOutbox').where('status', '==', 'failed').count().get(),
    ...hours.map((hour) => shardsOfHour(db, hour).get()),
  ]);
  for (const shard of snaps.flatMap((snap) => snap.docs)) {
    for (const [event, value] of Object.entries(shard.data())) {
      if (typeof value !== 'object' || value === null) continue;
      for (const [outcome, n] of Object.entries(value as Record<string, unknown>)) {
        if (typeof n !== 'number') continue;
        counts[event] ??= {};
        counts[event][outcome] = (counts[event][outcome] ?? 0) + n;
      }
    }
  }
  const count = (event: string, outcome: string) => counts[event]?.[outcome] ?? 0;
  return {
    since: new Date(first).toISOString(),
    dualWrite: {
      primary: rate(
        count('dualWritePrimary', 'success'),
        count('dualWritePrimary', 'failure'),
        telemetryTargets.dualWritePrimary,
      ),
      secondary: {
        ...rate(
          count('dualWriteSecondary', 'success'),
          count('dualWriteSecondary', 'failure'),
          telemetryTargets.dualWriteSecondary,
        ),
        parked: count('dualWriteSecondary', 'parked'),
        /** What each delivery found and did; only delivered, equal and resolved are successes. */
        outcomes: Object.fromEntries(
          telemetryEvents.legacyDelivery.map((outcome) => [
            outcome,
            count('legacyDelivery', outcome),
          ]),
        ) as Record<(typeof telemetryEvents.legacyDelivery)[number], number>,
      },
      /** Outbox entries CloudKit refused, now: the sweep retries them; `npm run ops -- outbox`. */
      failedEntries: failedEntries.data().count,
    },
    fallbackReads: count('fallbackRead', 'served') + count('fallbackRead', 'empty'),
    migration: {
      completion: rate(
        count('migration', 'completed') + count('migration', 'completed_with_errors'),
        count('migration', 'failed'),
        telemetryTargets.migrationCompletion,
      ),
      started: count('migration', 'started'),
      recordsMigrated: count('migrationRecords', 'migrated'),
      recordsQuarantined: count('migrationRecords', 'quarantined'),
      batches: count('backfillBatch', 'success'),
      batchLatencyMsAverage: average(counts.backfillBatch, 'success'),
    },
    /** Shadow reads of migrated users: records equal in both stores, per kind and in all. */
    shadowCompare: {
      ...rate(
        count('shadowCompare', 'habit.consistent') +
          count('shadowCompare', 'completion.consistent'),
        count('shadowCompare', 'habit.inconsistent') +
          count('shadowCompare', 'completion.inconsistent'),
        telemetryTargets.consistency,
      ),
      byKind: Object.fromEntries(
        (['habit', 'completion'] as const).map((kind) => [
          kind,
          {
            consistent: count('shadowCompare', `${kind}.consistent`),
            inconsistent: count('shadowCompare', `${kind}.inconsistent`),
            pending: count('shadowCompare', `${kind}.pending`),
          },
        ]),
      ) as Record<
        'habit' | 'completion',
        Record<'consistent' | 'inconsistent' | 'pending', number>
      >,
      failed: count('shadowCompare', 'failed'),
    },
    /** Write callables' p95 with dual-write and without (Firestore only), and their ratio. */
    writeLatency: latencyComparison(counts.writeLatency),
    cache: {
      hitRate: rate(
        count('snapshotCache', 'hit') + count('snapshotCache', 'notModified'),
        count('snapshotCache', 'miss'),
        telemetryTargets.cacheHitRate,
      ),
      notModified: count('snapshotCache', 'notModified'),
    },
    counts,
  };
}
