import type { Firestore } from 'firebase-admin/firestore';
import { userPaths } from '../firestore/paths';
import { touchEntry } from './touchEntry';

/**
 * Puts every undelivered entry of a user back to pending (after `legacy-link` brings a new token,
 * and from the sweep). Rewriting an entry is what queues its delivery (the outbox trigger), so
 * this never enqueues by itself. Bounded per call: a page of 200 per round trip.
 */
export async function requeueOutbox(
  db: Firestore,
  uid: string,
  now: Date,
  statuses: ReadonlyArray<'pending' | 'awaiting_link' | 'failed'> = ['awaiting_link', 'pending'],
): Promise<number> {
  const outbox = userPaths(db, uid).legacyOutbox;
  let requeued = 0;
  let after: FirebaseFirestore.QueryDocumentSnapshot | undefined;
  for (;;) {
    let query = outbox
      .where('status', 'in', [...statuses])
      .orderBy('__name__')
      .limit(200);
    if (after) query = query.startAfter(after);
    const page = await query.get();
    if (page.empty) return requeued;
    const done = await Promise.all(
      page.docs.map((doc) => touchEntry(doc, { status: 'pending', updatedAt: now.toISOString() })),
    );
    requeued += done.filter(Boolean).length;
    after = page.docs[page.docs.length - 1];
  }
}
