import type { Firestore } from 'firebase-admin/firestore';
import { logs } from '../../logs';
import { userPaths } from '../firestore/paths';
import type { HabitWorkTask } from './habitWorkQueue';

export interface HabitWorkRepository {
  purgeCompletions(
    uid: string,
    habitId: string,
    limit: number,
    deletedBefore?: string,
  ): Promise<number>;
  recountStreak(uid: string, habitId: string): Promise<boolean>;
}

export interface HabitWorkSettings {
  purgePageSize: number;
  budgetMs: number;
}

/**
 * Carries out one habit's pending work request: the deleted habit's days page by page, then the
 * streak recount. Every step is idempotent (a page removes what is still there; a recount stores
 * only over what it read), so duplicate and concurrent deliveries are harmless. Past its budget
 * it touches the request instead of finishing: the trigger queues the continuation.
 */
export class HabitWorkJob {
  constructor(
    private readonly db: Firestore,
    private readonly repository: HabitWorkRepository,
    private readonly settings: HabitWorkSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run({ uid, habitId }: HabitWorkTask): Promise<'done' | 'continued' | 'none'> {
    const ref = userPaths(this.db, uid).habitWork.doc(habitId);
    const request = await ref.get();
    if (!request.exists) return 'none';
    const started = this.clock().getTime();
    let purged = 0;
    if (request.get('purge') === true) {
      for (;;) {
        const deletedBefore = request.get('purgeBefore') as string | undefined;
        const page = await this.repository.purgeCompletions(
          uid,
          habitId,
          this.settings.purgePageSize,
          deletedBefore,
        );
        if (page === 0) break;
        purged += page;
        if (this.clock().getTime() - started > this.settings.budgetMs) {
          await ref.update({ updatedAt: this.clock().toISOString() });
          logs.habitWorkContinued(uid, habitId, purged);
          return 'continued';
        }
      }
    }
    if (request.get('recount') === true) await this.repository.recountStreak(uid, habitId);

    // Cleared only if no request arrived since it was read; a newer one runs again anyway.
    await this.db.runTransaction(async (tx) => {
      const now = await tx.get(ref);
      if (now.exists && request.updateTime && now.updateTime?.isEqual(request.updateTime)) {
        tx.delete(ref);
      }
    });
    logs.habitWorkDone(uid, habitId, purged);
    return 'done';
  }
}

/**
 * Requests pending longer than a task takes lost it (a trigger that never fired, retries used
 * up): rewriting their time makes the trigger queue them again.
 */
export async function sweepHabitWork(
  db: Firestore,
  now: Date,
  settings: { staleAfterMs: number; sweepLimit: number },
): Promise<number> {
  const stale = await db
    .collectionGroup('habitWork')
    .where('updatedAt', '<', new Date(now.getTime() - settings.staleAfterMs).toISOString())
    .limit(settings.sweepLimit)
    .get();
  await Promise.all(stale.docs.map((doc) => doc.ref.update({ updatedAt: now.toISOString() })));
  return stale.size;
}
