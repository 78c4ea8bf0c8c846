import { createHash } from 'node:crypto';
import { getFunctions } from 'firebase-admin/functions';
import { config } from '../../config';
import { firebaseApp } from '../firebaseApp';

export const LEGACY_DELIVERY_FUNCTION = 'legacyDelivery';

export interface DeliveryTask {
  uid: string;
  opId: string;
}

/**
 * Hands one outbox entry to the delivery task queue. The task id is a hash of the entry and its
 * enqueue count: a duplicate trigger is refused by Cloud Tasks, a deliberate re-queue is not.
 */
export async function enqueueDelivery(task: DeliveryTask, enqueues: number): Promise<void> {
  const id = createHash('sha256').update(`${task.uid}/${task.opId}/${enqueues}`).digest('hex');
  const queue = getFunctions(firebaseApp()).taskQueue(
    `locations/${config.region}/functions/${LEGACY_DELIVERY_FUNCTION}`,
  );
  try {
    await queue.enqueue(task, { id });
  } catch (error) {
    if ((error as { code?: string }).code === 'functions/task-already-exists') return;
    throw error;
  }
}
