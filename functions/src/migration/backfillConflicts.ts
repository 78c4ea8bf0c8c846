/**
 * What the backfill does with one legacy record, given what Firestore already holds. Pure, so the
 * rules of DESIGN.md invariant 2 are tested as a table.
 */
export type UpsertDecision =
  /** Firestore lacks it, or the old app changed it after Firestore's copy: write it. */
  | 'write'
  /** Firestore holds this very version (an earlier run, or dual-write, put it there). */
  | 'present'
  /** Firestore's copy is newer (written through the API since): keep Firestore's. */
  | 'keep_firestore'
  /** The user deleted it (or its habit) through the API: never resurrect it. */
  | 'keep_deleted';

export interface Versioned {
  version: number;
  updatedAt: string;
}

/**
 * Versions order the changes of one copy, but the API and the old app can each change a record
 * the other has not seen: the legacy copy replaces Firestore's only when it is both a later
 * version and the later edit, so a change made through the API is never overwritten by an older
 * one from the device.
 */
export function decideUpsert(
  legacy: Versioned,
  existing: Versioned | undefined,
  tombstoned: boolean,
): UpsertDecision {
  if (tombstoned) return 'keep_deleted';
  if (!existing) return 'write';
  if (existing.version === legacy.version && existing.updatedAt === legacy.updatedAt) {
    return 'present';
  }
  return legacy.version > existing.version && legacy.updatedAt >= existing.updatedAt
    ? 'write'
    : 'keep_firestore';
}

/**
 * A completion the API created while the legacy store already had one for that habit and day
 * (the user logged it on the new app before the migration reached it): the API awarded its XP
 * without knowing of the legacy one, whose XP is in the legacy ledger. The XP to take back so the
 * day counts once, as logging the same day again would: the count that does not stay.
 */
export function overlappingXpCount(
  legacy: { count: number; createdAt: string },
  existing: { count: number; createdAt: string } | undefined,
  decision: UpsertDecision,
): number {
  if (!existing || legacy.createdAt >= existing.createdAt) return 0;
  if (decision === 'write') return existing.count;
  return decision === 'present' || decision === 'keep_firestore' ? legacy.count : 0;
}

/**
 * A legacy deletion removes the Firestore copy unless the copy was written through the API since
 * the run started: that edit is newer than anything the legacy stream can report.
 */
export function decideDeletion(
  existing: { updatedAt: string } | undefined,
  runStartedAt: string | null | undefined,
): 'delete' | 'absent' | 'keep_firestore' {
  if (!existing) return 'absent';
  if (runStartedAt && existing.updatedAt > runStartedAt) return 'keep_firestore';
  return 'delete';
}
