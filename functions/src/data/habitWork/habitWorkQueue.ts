import { enqueueTask } from '../tasks/taskQueue';

export const HABIT_WORK_FUNCTION = 'habitWork';

export interface HabitWorkTask {
  uid: string;
  habitId: string;
}

/** `reason` (the request's write time, or a continuation's) names the task: one per request. */
export async function enqueueHabitWork(task: HabitWorkTask, reason: string): Promise<void> {
  await enqueueTask(HABIT_WORK_FUNCTION, { ...task }, [
    'habitWork',
    task.uid,
    task.habitId,
    reason,
  ]);
}
