import { z } from 'zod';
import { catchUpStateSchema } from './catchUpState';
import { type MigrationStatus, migrationStatuses } from './migrationStatuses';

export { migrationStatuses, type MigrationStatus } from './migrationStatuses';

export const MIGRATED_STATUSES: ReadonlySet<MigrationStatus> = new Set([
  'completed',
  'completed_with_errors',
]);

/**
 * Whether a run has copied legacy days that no streak counts yet: its pages write completions
 * without touching streaks, and only its last step recounts them. Until it completes, a streak's
 * stored runs cannot be built on.
 */
export function migrationMayChangeDays(state: { status: MigrationStatus; batches?: number }) {
  return (state.batches ?? 0) > 0 && !MIGRATED_STATUSES.has(state.status);
}

/**
 * What a run counts, one key per outcome of a legacy record. Every record read lands in exactly
 * one of them, so their sum is the number of records the run has read.
 * - habits, completions, xp, streaks: in Firestore as the legacy store has them;
 * - deleted: a legacy deletion applied to Firestore;
 * - skipped: Firestore kept its own (newer, or deleted by the user) version;
 * - quarantined: unreadable, written to migrationErrors with the reason.
 */
export const migrationCountKeys = [
  'habits',
  'completions',
  'xp',
  'streaks',
  'deleted',
  'skipped',
  'quarantined',
] as const;
export type MigrationCountKey = (typeof migrationCountKeys)[number];
export type MigrationCounts = Record<MigrationCountKey, number>;

export function emptyCounts(): MigrationCounts {
  return Object.fromEntries(migrationCountKeys.map((key) => [key, 0])) as MigrationCounts;
}

export function addCounts(
  a: Partial<MigrationCounts>,
  b: Partial<MigrationCounts>,
): MigrationCounts {
  return Object.fromEntries(
    migrationCountKeys.map((key) => [key, (a[key] ?? 0) + (b[key] ?? 0)]),
  ) as MigrationCounts;
}

export function totalCount(counts: Partial<MigrationCounts>): number {
  return migrationCountKeys.reduce((sum, key) => sum + (counts[key] ?? 0), 0);
}

/** Records taken into Firestore as the legacy store has them: every outcome but skipped and quarantined. */
export function migratedCount(counts: Partial<MigrationCounts>): number {
  return totalCount(counts) - (counts.skipped ?? 0) - (counts.quarantined ?? 0);
}

export const MIGRATION_SCHEMA_VERSION = 1;

/**
 * users/{uid}/meta/migration, as docs/operations.md section 6 lists it; every field but status is
 * optional.
 */
export const migrationStateSchema = z.looseObject({
  status: z.enum(migrationStatuses),
  runId: z.string().optional(),
  dryRun: z.boolean().optional(),
  cursor: z.string().nullable().optional(),
  /** Record pages committed by this run. */
  batches: z.number().int().optional(),
  /** The legacy stream is exhausted: what is left is recomputing streaks and completing. */
  streamEnded: z.boolean().optional(),
  counts: z.record(z.string(), z.number().int()).optional(),
  attempts: z.number().int().optional(),
  lastError: z
    .object({ code: z.string(), message: z.string(), at: z.string() })
    .nullable()
    .optional(),
  queuedAt: z.string().nullable().optional(),
  startedAt: z.string().nullable().optional(),
  updatedAt: z.string().nullable().optional(),
  completedAt: z.string().nullable().optional(),
  durationMs: z.number().nullable().optional(),
  leaseOwner: z.string().nullable().optional(),
  leaseExpiresAt: z.string().nullable().optional(),
  schemaVersion: z.number().int().optional(),
  catchUp: catchUpStateSchema.optional(),
  /**
   * Only this run has ever written the user's data, and its last page left the data version
   * (users/{uid}/meta/sync) at `dataVersion`: the next page may take what it does not read as
   * absent (migration/backfillBatchWriter.ts). Null once anything else wrote, or the run wrote a
   * tombstone or an outbox entry.
   */
  soleWriter: z.object({ dataVersion: z.number().int() }).nullable().optional(),
});
export type MigrationState = z.infer<typeof migrationStateSchema>;

export const NOT_STARTED: MigrationState = { status: 'not_started' };
