import type { DocumentSnapshot } from 'firebase-admin/firestore';
import { readStoredIfExists, storedProgress } from './storedDocuments';

/**
 * Reading the XP ledger and naming its entries; writing an entry and the total it moves is
 * userWrites.ts (appendXpEvent).
 */

/** The exact sum of the user's ledger, as meta/progress holds it (0 for a user with none). */
export function ledgerSumOf(progressSnap: DocumentSnapshot): number {
  const stored = readStoredIfExists(storedProgress, progressSnap);
  return stored?.ledgerXp ?? stored?.totalXp ?? 0;
}

/** The Firestore id of a migrated legacy XP event: one document per event, so it counts once. */
export const legacyXpEventId = (id: string) => `legacy-${id}`;

/** The one correction of a day logged both through the API and in the legacy store. */
export const overlapXpEventId = (completionId: string) => `legacy-overlap-${completionId}`;

/** The take-back of a legacy event that arrived after its habit was deleted through the API. */
export const deletedHabitXpEventId = (legacyEventId: string) => `legacy-deleted-${legacyEventId}`;
