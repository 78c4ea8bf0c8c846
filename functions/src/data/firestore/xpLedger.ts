import type { DocumentReference, Transaction } from 'firebase-admin/firestore';
import { type Progress, progressFromXp } from '../../domain/progress';
import type { UserPaths } from './paths';

/** The Firestore id of a migrated legacy XP event: one document per event, so it counts once. */
export const legacyXpEventId = (id: string) => `legacy-${id}`;

/** The one correction of a day logged both through the API and in the legacy store. */
export const overlapXpEventId = (completionId: string) => `legacy-overlap-${completionId}`;

export interface XpEventDetail {
  reason: string;
  habitId?: string;
  completionId?: string;
}

/**
 * One XP ledger entry and the running total it moves, in the caller's transaction: two writes
 * (none for a zero delta). `previousTotal` was read in that transaction. Progress is merged, so
 * the migrated opening balance (`legacyXp`) beside it stays.
 */
export function appendXpEvent(
  tx: Transaction,
  paths: UserPaths,
  ref: DocumentReference,
  previousTotal: number,
  delta: number,
  detail: XpEventDetail,
  now: string,
): Progress {
  const progress = progressFromXp(previousTotal + delta);
  if (delta === 0) return progress;
  tx.create(ref, { ...detail, delta, createdAt: now });
  tx.set(paths.progress, { ...progress, updatedAt: now }, { merge: true });
  return progress;
}
