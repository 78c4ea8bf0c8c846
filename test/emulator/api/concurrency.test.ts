import { collectionIds, docData } from '../support/admin';
import { deleteAllClients, signedInUser } from '../support/client';

afterAll(deleteAllClients);

const day = (offset: number) =>
  new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

// The calls contend for the same progress, sync and streak documents; on a 2-core machine the
// emulator serialises them (and the dual-write deliveries they start) slowly, so keep the count modest.
const PARALLEL_CALLS = 12;
const CONTENDED_TIMEOUT_MS = 180_000;

/**
 * As the app does (docs/api.md, error codes): a write that lost to contention for 15 s answers
 * `aborted`, committed nothing, and is sent again. On a loaded machine some of these do.
 */
async function retryingAborted<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if ((error as { code?: string }).code !== 'functions/aborted') throw error;
    }
  }
}

describe('concurrent writes from one user', () => {
  it(
    'loses no XP and leaves a correct streak when many completions are logged at once',
    async () => {
      const user = await signedInUser();
      const habit = await user.call<{ id: string }>('habits-create', {
        name: 'Pushups',
        schedule: { type: 'daily' },
      });
      const days = Array.from({ length: PARALLEL_CALLS }, (_, i) => day(i));
      await Promise.all(
        days.map((date, i) =>
          retryingAborted(() =>
            user.call('completions-log', { habitId: habit.id, date, count: i + 1 }),
          ),
        ),
      );
      const expectedXp = days.reduce((sum, _, i) => sum + (i + 1) * 10, 0);

      const { progress, streaks } = await user.call<{
        progress: { totalXp: number };
        streaks: { current: number; longest: number; lastCompletedDate: string }[];
      }>('progress-get');
      expect(progress.totalXp).toBe(expectedXp);
      expect(streaks).toEqual([
        {
          habitId: habit.id,
          current: PARALLEL_CALLS,
          longest: PARALLEL_CALLS,
          lastCompletedDate: day(0),
        },
      ]);
      expect(await collectionIds(`users/${user.uid}/completions`)).toHaveLength(PARALLEL_CALLS);
      const ledger = await collectionIds(`users/${user.uid}/xpEvents`);
      expect(ledger).toHaveLength(PARALLEL_CALLS);
      // One creation plus each completion: every write bumped the data version exactly once.
      expect((await docData(`users/${user.uid}/meta/sync`))?.version).toBe(PARALLEL_CALLS + 1);
    },
    CONTENDED_TIMEOUT_MS,
  );
});
