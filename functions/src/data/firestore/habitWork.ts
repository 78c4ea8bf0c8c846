import type { Transaction } from 'firebase-admin/firestore';
import type { UserPaths } from './paths';

/**
 * users/{uid}/habitWork/{habitId}: what a habit write left for the background. Written in the
 * same commit as the write, so the work cannot be lost: its trigger queues a task, and a sweep
 * re-drives a request that stayed pending. Flags only ever get set here; the task clears the
 * document once it did everything, unless a newer request arrived meanwhile.
 */
export interface HabitWorkRequest {
  /** The habit is deleted: its completions are still to be removed. */
  purge?: true;
  /**
   * When it was deleted. Should the habit come back before the purge ends (the old app edited it
   * later), the days it had then still go: the deletion took their XP back.
   */
  purgeBefore?: string;
  /** The streak's runs are missing or counted under an old schedule: recount the history. */
  recount?: true;
}

export function habitWorkRequest(
  tx: Transaction,
  paths: UserPaths,
  habitId: string,
  work: HabitWorkRequest,
  now: string,
): void {
  tx.set(paths.habitWork.doc(habitId), { ...work, updatedAt: now }, { merge: true });
}
