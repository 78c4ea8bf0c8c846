import type { DocumentReference, DocumentSnapshot, Transaction } from 'firebase-admin/firestore';
import { type Progress, progressFromXp } from '../../domain/progress';
import type { UserPaths } from './paths';
import { readStoredIfExists, storedProgress } from './storedDocuments';

/** The exact sum of the user's ledger, as meta/progress holds it (0 for a user with none). */
export function ledgerSumOf(progressSnap: DocumentSnapshot): number {
  const stored = readStoredIfExists(storedProgress, progressSnap);
  return stored?.ledgerXp ?? stored?.totalXp ?? 0;
}

/** meta/progress for a ledger summing to `ledgerXp`: the shown total never goes below 0. */
export function progressDocument(ledgerXp: number, now: string) {
  return { ...progressFromXp(ledgerXp), ledgerXp, updatedAt: now };
}

/** The Firestore id of a migrated legacy XP event: one document per event, so it counts once. */
export const legacyXpEventId = (id: string) => `legacy-${id}`;

/** The one correction of a day logged both through the API and in the legacy store. */
export const overlapXpEventId = (completionId: string) => `legacy-overlap-${completionId}`;

/** The take-back of a legacy event that arrived after its habit was deleted through the API. */
export const deletedHabitXpEventId = (legacyEventId: string) => `legacy-deleted-${legacyEventId}`;

export interface XpEventDetail {
  reason: string;
  habitId?: string;
  completionId?: string;
}

/**
 * One XP ledger entry and the running total it moves, in the caller's transaction: two writes
 * (none for a zero delta). `previousSum` (ledgerSumOf) was read in that transaction. Progress is
 * merged, so the migrated opening balance (`legacyXp`) beside it stays.
 */
export function appendXpEvent(
  tx: Transaction,
  paths: UserPaths,
  ref: DocumentReference,
  previousSum: number,
  delta: number,
  detail: XpEventDetail,
  now: string,
): Progress {
  const progress = progressFromXp(previousSum + delta);
  if (delta === 0) return progress;
  tx.create(ref, { ...detail, delta, createdAt: now });
  tx.set(paths.progress, progressDocument(previousSum + delta, now), { merge: true });
  return progress;
}
