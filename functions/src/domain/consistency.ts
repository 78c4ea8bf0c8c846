import { z } from 'zod';
import { uidSchema } from './backfillMessages';
import { MIGRATED_STATUSES, type MigrationStatus } from './migrationState';
import { migrationMode, type ModeFlags } from './migrationMode';

/**
 * The pure rules of the consistency checks (docs/operations.md, "Consistency"): which reads are
 * compared in the background, and how a user's latest verification moves the totals.
 */

/** Entities a read callable answers with, by the kind of CloudKit record each one is. */
export const shadowKinds = ['habit', 'completion'] as const;
export type ShadowKind = (typeof shadowKinds)[number];

/** The task a sampled read leaves: the records it answered with, to compare with CloudKit's. */
export const shadowCompareTaskSchema = z.strictObject({
  uid: uidSchema,
  kind: z.enum(shadowKinds),
  ids: z.array(z.string().min(1)).min(1),
  requestedAt: z.iso.datetime(),
});
export type ShadowCompareTask = z.output<typeof shadowCompareTaskSchema>;

/** `roll` is uniform in [0, 1): a read is sampled with the flag's percentage as its chance. */
export function shadowSampled(percentage: number, roll: number): boolean {
  return roll * 100 < percentage;
}

/**
 * Only a migrated user under dual-write has CloudKit kept equal to Firestore: anyone else's two
 * stores are expected to differ, so comparing them would count noise.
 */
export function shadowComparable(flags: ModeFlags, status: MigrationStatus): boolean {
  return MIGRATED_STATUSES.has(status) && migrationMode(flags, status).dualWrite;
}

/** users/{uid}/meta/consistency: the user's latest verification, in the totals' terms. */
export const consistencyCheckSchema = z.object({
  records: z.number().int().min(0),
  consistent: z.number().int().min(0),
  mismatches: z.number().int().min(0),
  checkedAt: z.string(),
});
export type ConsistencyCheck = z.output<typeof consistencyCheckSchema>;

/**
 * A verification's counts as a check: every legacy record read is matched, legitimately newer
 * or deleted in Firestore (consistent), or a difference (a mismatch), exactly one of them.
 */
export function consistencyCheckOf(
  counts: {
    legacyRecords: number;
    matched: number;
    newerInFirestore: number;
    deletedInFirestore: number;
  },
  checkedAt: string,
): ConsistencyCheck {
  const consistent = counts.matched + counts.newerInFirestore + counts.deletedInFirestore;
  return {
    records: counts.legacyRecords,
    consistent,
    mismatches: counts.legacyRecords - consistent,
    checkedAt,
  };
}

export interface TotalsChange {
  records: number;
  consistent: number;
  mismatches: number;
  usersVerified: number;
}

/**
 * What a user's latest check adds to the totals: its figures less the ones it replaces, so the
 * totals stay the sum of each verified user's latest check however often a user is verified.
 */
export function totalsChange(
  previous: ConsistencyCheck | undefined,
  latest: ConsistencyCheck,
): TotalsChange {
  return {
    records: latest.records - (previous?.records ?? 0),
    consistent: latest.consistent - (previous?.consistent ?? 0),
    mismatches: latest.mismatches - (previous?.mismatches ?? 0),
    usersVerified: previous ? 0 : 1,
  };
}

/**
 * The next `n` users of a rolling pass: those after the cursor, then from the start again (the
 * pass wraps around), each once however few users there are.
 */
export function rollingSelection<T>(
  afterCursor: readonly T[],
  fromStart: readonly T[],
  n: number,
): T[] {
  const chosen = afterCursor.slice(0, n);
  for (const item of fromStart) {
    if (chosen.length >= n) break;
    if (!chosen.includes(item)) chosen.push(item);
  }
  return chosen;
}
