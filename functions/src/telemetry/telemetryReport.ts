import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../config';
import { hourKey, shardsOfHour } from './firestoreTelemetry';
import { writeLatency } from './latencyHistogram';
import { telemetryEvents, telemetryTargets } from './telemetryEvents';

const HOUR_MS = 3_600_000;

/** Event -> outcome -> count (and `latencyMsTotal`), as the shards hold them. */
export type Counts = Record<string, Record<string, number>>;

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
  const dualWrite = writeLatency.summary(counts, 'dualWrite');
  const firestoreOnly = writeLatency.summary(counts, 'firestoreOnly');
  const ratio =
    dualWrite.p95Ms !== null && firestoreOnly.p95Ms !== null && firestoreOnly.p95Ms > 0
      ? Math.round((dualWrite.p95Ms / firestoreOnly.p95Ms) * 100) / 100
      : null;
  return { dualWrite, firestoreOnly, p95Ratio: ratio };
}

/** One hour of a reading: its key (`YYYY-MM-DDTHH`) and the sum of its shards. */
export interface HourReading {
  hour: string;
  counts: Counts;
}

/** The counters of a window, hour by hour (every hour present, empty when none counted). */
export interface TelemetryReading {
  /** The window's start: `since`, or the oldest hour a report may sum. */
  since: string;
  hours: HourReading[];
  /** Outbox entries CloudKit refused, now (not an hourly counter: a count of the entries). */
  failedEntries: number;
}

/** The keys of the hours from `first` to `now`, oldest first. */
function hourKeysBetween(first: number, now: Date): string[] {
  const hours: string[] = [];
  for (let t = first; t <= now.getTime() + HOUR_MS - 1; t += HOUR_MS) {
    const key = hourKey(new Date(t));
    if (hours[hours.length - 1] !== key) hours.push(key);
  }
  return hours;
}

/** Adds a shard's (or an hour's) counters into `into`; fields that are not counts are skipped. */
function addCounts(into: Counts, counters: Record<string, unknown>): Counts {
  for (const [event, value] of Object.entries(counters)) {
    if (typeof value !== 'object' || value === null) continue;
    for (const [outcome, n] of Object.entries(value as Record<string, unknown>)) {
      if (typeof n !== 'number') continue;
      into[event] ??= {};
      into[event][outcome] = (into[event][outcome] ?? 0) + n;
    }
  }
  return into;
}

/** The counters of several hours summed: a window's totals from its hours. */
export function sumHours(hours: readonly HourReading[]): Counts {
  return hours.reduce((sum, { counts }) => addCounts(sum, counts), {} as Counts);
}

/**
 * Reads the counters of every hour from `since` to now, once: per-hour figures and the window's
 * totals are both made from this reading. Only shards that instances flushed to exist, so it
 * reads at most `config.telemetry.shards` documents per hour, whatever the event rate, and one
 * count of failed outbox entries.
 */
export async function readTelemetry(
  db: Firestore,
  since: Date,
  now: Date,
): Promise<TelemetryReading> {
  const first = Math.max(since.getTime(), now.getTime() - config.telemetryReportMaxHours * HOUR_MS);
  const keys = hourKeysBetween(first, now);
  const [failedEntries, ...snaps] = await Promise.all([
    db.collectionGroup('legacyOutbox').where('status', '==', 'failed').count().get(),
    ...keys.map((hour) => shardsOfHour(db, hour).get()),
  ]);
  return {
    since: new Date(first).toISOString(),
    hours: keys.map((hour, i) => ({
      hour,
      counts: snaps[i].docs.reduce((sum, shard) => addCounts(sum, shard.data()), {} as Counts),
    })),
    failedEntries: failedEntries.data().count,
  };
}

/**
 * Sums the counters of every hour from `since` to now and judges them against the targets (the
 * default day: 25 hours of shards).
 */
export async function telemetryReport(db: Firestore, since: Date, now: Date) {
  const reading = await readTelemetry(db, since, now);
  return reportOf(sumHours(reading.hours), reading.since, reading.failedEntries);
}

export type TelemetryReport = ReturnType<typeof reportOf>;

/** The report of summed counters: rates against their targets, and the counts themselves. */
export function reportOf(counts: Counts, since: string, failedEntries: number) {
  const count = (event: string, outcome: string) => counts[event]?.[outcome] ?? 0;
  return {
    since,
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
      failedEntries,
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
