/**
 * What the backfill does with one legacy record, given what Firestore already holds. Pure, so the
 * rules of DESIGN.md invariant 2 are tested as a table.
 */
export type UpsertDecision =
  /** Firestore lacks it, or holds an older version (the old app edited it since): write it. */
  | 'write'
  /** Firestore holds this very version (an earlier run, or dual-write, put it there). */
  | 'present'
  /** Firestore's version is newer (written through the API since): keep Firestore's. */
  | 'keep_firestore'
  /** The user deleted it (or its habit) through the API: never resurrect it. */
  | 'keep_deleted';

export interface Versioned {
  version: number;
}

export function decideUpsert(
  legacy: Versioned,
  existing: Versioned | undefined,
  tombstoned: boolean,
): UpsertDecision {
  if (tombstoned) return 'keep_deleted';
  if (!existing || existing.version < legacy.version) return 'write';
  return existing.version === legacy.version ? 'present' : 'keep_firestore';
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
