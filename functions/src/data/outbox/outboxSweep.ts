import type { Firestore } from 'firebase-admin/firestore';
import { enqueueDelivery } from './deliveryQueue';

/** A pending entry this old has lost its task (a trigger that never fired, retries used up). */
export const STALE_AFTER_MS = 15 * 60_000;
const SWEEP_LIMIT = 500;

/**
 * Re-drives pending outbox entries that no task is working on, across all users. Bounded per run;
 * the next run takes what is left. Parked (awaiting_link) entries wait for the app instead.
 */
export async function sweepStaleOutbox(db: Firestore, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - STALE_AFTER_MS).toISOString();
  const stale = await db
    .collectionGroup('legacyOutbox')
    .where('status', '==', 'pending')
    .where('updatedAt', '<', cutoff)
    .limit(SWEEP_LIMIT)
    .get();
  for (const doc of stale.docs) {
    const uid = doc.ref.parent.parent?.id;
    if (!uid) continue;
    const enqueues = ((doc.get('enqueues') as number | undefined) ?? 0) + 1;
    await doc.ref.update({ enqueues, updatedAt: now.toISOString() });
    await enqueueDelivery({ uid, opId: doc.id }, enqueues);
  }
  return stale.size;
}
