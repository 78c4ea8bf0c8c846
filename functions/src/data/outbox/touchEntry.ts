import type { DocumentSnapshot } from 'firebase-admin/firestore';
import type { OutboxEntry } from './outboxEntry';

/**
 * Updates an outbox entry only as it was read: a delivery may have removed it, or a change
 * rewritten it, since (then the update is moot, and says so with false).
 */
export async function touchEntry(
  snap: DocumentSnapshot,
  fields: Partial<OutboxEntry>,
): Promise<boolean> {
  try {
    await snap.ref.update(fields, { lastUpdateTime: snap.updateTime! });
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // NOT_FOUND (5): delivered and removed; FAILED_PRECONDITION (9): rewritten since read.
    if (code === 5 || code === 9) return false;
    throw error;
  }
}
