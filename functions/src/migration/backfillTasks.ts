import { enqueueTask } from '../data/tasks/taskQueue';
import type { BackfillTask, FanOutTask } from '../domain/backfillMessages';
import type { BatchPointer } from '../domain/migrationRun';

export const BACKFILL_WORKER_FUNCTION = 'migrationBackfill';
export const BACKFILL_FANOUT_FUNCTION = 'migrationFanOut';

/** Where the backfill hands work to Cloud Tasks; an interface so the job can be driven directly. */
export interface BackfillTasks {
  enqueueBatch(uid: string, dryRun: boolean, next: BatchPointer): Promise<void>;
  enqueueFanOut(task: FanOutTask): Promise<void>;
}

export const cloudBackfillTasks: BackfillTasks = {
  async enqueueBatch(uid, dryRun, next) {
    const task: BackfillTask = { uid, runId: next.runId, batch: next.batch, dryRun };
    // The attempt number is in the id, not the task: a re-queued run needs a new id for the same
    // batch, while the worker only cares which run and batch it continues.
    await enqueueTask(BACKFILL_WORKER_FUNCTION, task, [
      'batch',
      uid,
      dryRun,
      next.runId,
      next.batch,
      next.attempts,
    ]);
  },
  async enqueueFanOut(task) {
    await enqueueTask(BACKFILL_FANOUT_FUNCTION, task, ['fanout', task.fanOutId, task.pageToken]);
  },
};
