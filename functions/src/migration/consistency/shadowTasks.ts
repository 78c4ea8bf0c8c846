import { enqueueTask } from '../../data/tasks/taskQueue';
import type { ShadowCompareTask } from '../../domain/consistency';

export const SHADOW_COMPARE_FUNCTION = 'consistencyShadowCompare';

/** One comparison per sampled read: the same read enqueued twice (a retried hook) runs once. */
export async function enqueueShadowCompare(task: ShadowCompareTask): Promise<void> {
  await enqueueTask(SHADOW_COMPARE_FUNCTION, task, [
    'shadow-compare',
    task.uid,
    task.kind,
    task.requestedAt,
    ...task.ids,
  ]);
}
