import { enqueueTask } from '../tasks/taskQueue';

export const LEGACY_DELIVERY_FUNCTION = 'legacyDelivery';

export interface DeliveryTask {
  uid: string;
}

/**
 * Asks for a drain of the user's outbox. `reason` (a change's record and write time, or a
 * continuation's time) names the task: a retried trigger makes it once, a new change anew.
 */
export async function enqueueDrain(uid: string, reason: string): Promise<void> {
  await enqueueTask(LEGACY_DELIVERY_FUNCTION, { uid }, ['drain', uid, reason]);
}
