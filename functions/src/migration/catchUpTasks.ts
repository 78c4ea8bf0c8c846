import { enqueueTask } from '../data/tasks/taskQueue';
import type { CatchUpSweepTask, CatchUpTask } from '../domain/backfillMessages';

export const CATCH_UP_FUNCTION = 'legacyCatchUp';
export const CATCH_UP_SWEEP_FUNCTION = 'legacyCatchUpSweep';

/** Where catch-ups are handed to Cloud Tasks; an interface so tests can schedule them adversarially. */
export interface CatchUpTasks {
  /**
   * `source` names who asked (a Pub/Sub message id, a schedule tick, a link): with the time it
   * asked, it names the task, so a redelivered message or retried trigger enqueues it once.
   */
  enqueueCatchUp(task: CatchUpTask, source: string): Promise<void>;
  enqueueSweep(task: CatchUpSweepTask): Promise<void>;
}

export const cloudCatchUpTasks: CatchUpTasks = {
  async enqueueCatchUp(task, source) {
    await enqueueTask(CATCH_UP_FUNCTION, task, ['catchup', task.uid, source, task.requestedAt]);
  },
  async enqueueSweep(task) {
    await enqueueTask(CATCH_UP_SWEEP_FUNCTION, task, [
      'catchup-sweep',
      task.sweepId,
      task.after?.path ?? null,
    ]);
  },
};
