import type { Firestore } from 'firebase-admin/firestore';
import { userPaths } from '../firestore/paths';
import { enqueueDelivery } from './deliveryQueue';

/**
 * Queues delivery again for every undelivered entry of a user: after `legacy-link` brings a new
 * token, and from the stale-outbox sweep. Failed entries stay for an operator to look at.
 */
export async function requeueOutbox(db: Firestore, uid: string, now: Date): Promise<number> {
  const snap = await userPaths(db, uid)
    .legacyOutbox.where('status', 'in', ['pending', 'awaiting_link'])
    .get();
  for (const doc of snap.docs) {
    const enqueues = ((doc.get('enqueues') as number | undefined) ?? 0) + 1;
    await doc.ref.update({ status: 'pending', enqueues, updatedAt: now.toISOString() });
    await enqueueDelivery({ uid, opId: doc.id }, enqueues);
  }
  return snap.size;
}
