import { enqueueTask } from '../data/tasks/taskQueue';
import type { CatchUpSweepTask, CatchUpTask } from '../domain/backfillMessages';

export const CATCH_UP_FUNCTION = 'legacyCatchUp';
export const CATCH_UP_SWEEP_FUNCTION = 'legacyCatchUpSweep';

/** Where catch-ups are handed to Cloud Tasks; an interface so tests can schedule them adversarially. */
export interface CatchUpTasks {
  /**
   * `key` names the request with the user: a Pub/Sub message id, the schedule's view of the user
   * (their `caughtUpAt`), a link and its time. The same key enqueues once, so a redelivered
   * message, a retried sweep page or the next schedule tick for a user whose catch-up is still
   * retrying adds no task.
   */
  enqueueCatchUp(task: CatchUpTask, key: string): Promise<void>;
  enqueueSweep(task: CatchUpSweepTask): Promise<void>;
}

export const cloudCatchUpTasks: CatchUpTasks = {
  async enqueueCatchUp(task, key) {
    await enqueueTask(CATCH_UP_FUNCTION, task, ['catchup', task.uid, key]);
  },
  async enqueueSweep(task) {
    await enqueueTask(CATCH_UP_SWEEP_FUNCTION, task, [
      'catchup-sweep',
      task.sweepId,
      task.after?.path ?? null,
    ]);
  },
};
