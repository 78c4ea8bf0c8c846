import type { DocumentSnapshot } from 'firebase-admin/firestore';
import { type Streak, withLongestAtLeast } from '../../domain/streak';

/** The longest run the legacy store reported for a migrated habit, kept as a floor. */
export function legacyLongestOf(snap: DocumentSnapshot): number | undefined {
  const value: unknown = snap.exists ? snap.get('legacyLongest') : undefined;
  return typeof value === 'number' ? value : undefined;
}

/**
 * A streak as stored: the computed streak raised to the legacy floor, and the floor kept, so
 * that every later recomputation (API writes, the backfill's last step) honours it too.
 */
export function streakWithFloor(streak: Streak, legacyLongest: number | undefined): Streak {
  return withLongestAtLeast(streak, legacyLongest);
}

export function streakDocument(streak: Streak, legacyLongest: number | undefined, now: string) {
  return {
    ...withLongestAtLeast(streak, legacyLongest),
    ...(legacyLongest !== undefined && { legacyLongest }),
    updatedAt: now,
  };
}
