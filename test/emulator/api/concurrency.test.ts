import { collectionIds, docData } from '../support/admin';
import { deleteAllClients, signedInUser } from '../support/client';

afterAll(deleteAllClients);

const day = (offset: number) =>
  new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

// Twenty transactions contend for the same progress and sync documents; on a 2-core machine the
// emulator serialises them (and the dual-write deliveries they start) for well over a minute at worst.
const CONTENDED_TIMEOUT_MS = 180_000;

describe('concurrent writes from one user', () => {
  it('loses no XP and leaves a correct streak when many completions are logged at once', async () => {
    const user = await signedInUser();
    const habit = await user.call<{ id: string }>('habits-create', {
      name: 'Pushups',
      schedule: { type: 'daily' },
    });
    const days = Array.from({ length: 20 }, (_, i) => day(i));
    await Promise.all(
      days.map((date, i) =>
        user.call('completions-log', { habitId: habit.id, date, count: i + 1 }),
      ),
    );
    const expectedXp = days.reduce((sum, _, i) => sum + (i + 1) * 10, 0);

    const { progress, streaks } = await user.call<{
      progress: { totalXp: number };
      streaks: { current: number; longest: number; lastCompletedDate: string }[];
    }>('progress-get');
    expect(progress.totalXp).toBe(expectedXp);
    expect(streaks).toEqual([
      { habitId: habit.id, current: 20, longest: 20, lastCompletedDate: day(0) },
    ]);
    expect(await collectionIds(`users/${user.uid}/completions`)).toHaveLength(20);
    const ledger = await collectionIds(`users/${user.uid}/xpEvents`);
    expect(ledger).toHaveLength(20);
    // One creation plus twenty completions: every write bumped the data version exactly once.
    expect((await docData(`users/${user.uid}/meta/sync`))?.version).toBe(21);
  }, CONTENDED_TIMEOUT_MS);
});
