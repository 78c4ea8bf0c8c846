import { enqueueTask } from '../tasks/taskQueue';

export const LEGACY_DELIVERY_FUNCTION = 'legacyDelivery';

export interface DeliveryTask {
  uid: string;
  opId: string;
}

/**
 * Hands one outbox entry to the delivery task queue. The enqueue count is part of the task id: a
 * duplicate trigger is refused, a deliberate re-queue is not.
 */
export async function enqueueDelivery(task: DeliveryTask, enqueues: number): Promise<void> {
  await enqueueTask(LEGACY_DELIVERY_FUNCTION, { ...task }, [task.uid, task.opId, enqueues]);
}
