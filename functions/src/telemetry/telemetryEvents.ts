import { runDuration, writeLatency } from './latencyHistogram';

/** The events counted, each with its outcomes, and the targets operators judge them by. */
export const telemetryEvents = {
  dualWritePrimary: ['success', 'failure'],
  dualWriteSecondary: ['success', 'failure', 'parked'],
  /** Each outbox entry's delivery, by what it found and did (dualWriteSecondary sums them up). */
  legacyDelivery: [
    'delivered',
    'already_equal',
    'conflict_resolved',
    'failed',
    'awaiting_link',
    'retrying',
  ],
  fallbackRead: ['served', 'empty'],
  /**
   * Where a fallback read's legacy data came from: CloudKit (all of it, or `truncated` at the
   * read's bound), or this instance's recent read of it (`cached`, no CloudKit call).
   */
  fallbackReadLegacy: ['fetched', 'truncated', 'cached'],
  /** Transitions of a user's (real, not dry) backfill run. */
  migration: [
    'queued',
    'started',
    'completed',
    'completed_with_errors',
    'failed',
    'awaiting_link',
    'paused',
  ],
  /** Legacy records by outcome, counted per batch (`count` carries the number). */
  migrationRecords: ['migrated', 'skipped', 'quarantined'],
  backfillBatch: ['success', 'failure'],
  /** Legacy users the `all` fan-out passed over: their AppUser names no usable Firebase uid. */
  backfillFanOut: ['invalidIdentity'],
  backfillMessage: ['accepted', 'invalid'],
  /** Catch-up of migrated users' CloudKit change feeds: passes, changes taken, own writes seen. */
  catchUp: ['caught_up', 'applied', 'echo', 'failed', 'awaiting_link'],
  /** snapshot-get: answered from the instance's cache, built from Firestore, or not modified. */
  snapshotCache: ['hit', 'miss', 'notModified'],
  /**
   * Shadow comparison of records a read callable answered with against CloudKit's copies, per
   * entity kind; `pending`: a change not yet delivered (not comparable); `failed`: CloudKit could
   * not be read (the read's answer was never affected).
   */
  shadowCompare: [
    'habit.consistent',
    'habit.inconsistent',
    'habit.pending',
    'completion.consistent',
    'completion.inconsistent',
    'completion.pending',
    'failed',
  ],
  /** Write callables' latency by mode (dual-write or Firestore only), in 5 % buckets. */
  writeLatency: writeLatency.outcomes,
  /** Completed backfill runs' durations (with or without errors), in 10 % buckets. */
  migrationDuration: runDuration.outcomes,
} as const;

export type TelemetryEvent = keyof typeof telemetryEvents;
export type TelemetryOutcome<E extends TelemetryEvent> = (typeof telemetryEvents)[E][number];

/** The rates operators judge the migration by (each must be above its target). */
export const telemetryTargets = {
  dualWritePrimary: 0.99,
  dualWriteSecondary: 0.95,
  /** Runs that completed, of those that ended (completed, with errors, or failed). */
  migrationCompletion: 0.9,
  /** snapshot-get answers that cost one read (cache hits and notModified), of all answers. */
  cacheHitRate: 0.8,
  /** Records equal in both stores, of those compared (shadow reads, continuous verification). */
  consistency: 0.9999,
} as const;

export interface TelemetryFields {
  /** The user concerned; `-` for events about no one user (a Pub/Sub message). */
  uid: string;
  latencyMs?: number;
  errorCode?: string;
  /** How many the event stands for (records in a batch); 1 when absent. */
  count?: number;
}

/**
 * What every component reports through, beside the operation and never awaited by it: recording
 * cannot fail or slow the caller. Counts reach Firestore later, in batches (bufferedTelemetry.ts).
 */
export interface Telemetry {
  record<E extends TelemetryEvent>(
    event: E,
    outcome: TelemetryOutcome<E>,
    fields: TelemetryFields,
  ): void;
}

/** A telemetry that holds counts in memory until `flush()` writes them; flush never throws. */
export interface BufferedCounts extends Telemetry {
  flush(): Promise<void>;
}
