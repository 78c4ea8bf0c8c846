import { collectionIds, docData } from '../support/admin';
import { eventually } from '../support/eventually';
import { deleteAllClients, failureOf, signedInUser } from '../support/client';

type Habit = Record<string, unknown> & { id: string; version: number; name: string };

afterAll(deleteAllClients);

describe('habits callables, as the app calls them', () => {
  it('creates a habit with defaults and reads it back', async () => {
    const user = await signedInUser();
    const created = await user.call<Habit>('habits-create', {
      name: '  Read  ',
      emoji: '📚',
      schedule: { type: 'daily' },
    });
    expect(created).toMatchObject({
      name: 'Read',
      emoji: '📚',
      schedule: { type: 'daily' },
      targetPerDay: 1,
      archived: false,
      version: 1,
    });
    expect(created.createdAt).toBe(created.updatedAt);
    expect(new Date(created.createdAt as string).toISOString()).toBe(created.createdAt);
    expect(await user.call('habits-get', { id: created.id })).toEqual(created);
    expect(await docData(`users/${user.uid}/habits/${created.id}`)).toEqual(created);
  });

  it('bumps the user data version in the same commit as each write', async () => {
    const user = await signedInUser();
    const habit = await user.call<Habit>('habits-create', {
      name: 'Run',
      schedule: { type: 'daily' },
    });
    expect((await docData(`users/${user.uid}/meta/sync`))?.version).toBe(1);
    await user.call('habits-update', { id: habit.id, name: 'Run far' });
    expect((await docData(`users/${user.uid}/meta/sync`))?.version).toBe(2);
  });

  it('treats a retried create with the same client id as one habit', async () => {
    const user = await signedInUser();
    const input = { id: 'habit-retry-1', name: 'Stretch', schedule: { type: 'daily' } };
    const [first, second] = await Promise.all([
      user.call<Habit>('habits-create', input),
      user.call<Habit>('habits-create', input),
    ]);
    const third = await user.call<Habit>('habits-create', input);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(await collectionIds(`users/${user.uid}/habits`)).toEqual(['habit-retry-1']);
    expect((await docData(`users/${user.uid}/meta/sync`))?.version).toBe(1);
  });

  it('refuses a client id already used for a different habit', async () => {
    const user = await signedInUser();
    await user.call('habits-create', { id: 'taken', name: 'A', schedule: { type: 'daily' } });
    const failure = await failureOf(
      user.call('habits-create', { id: 'taken', name: 'B', schedule: { type: 'daily' } }),
    );
    expect(failure.code).toBe('functions/already-exists');
    expect((await user.call<Habit>('habits-get', { id: 'taken' })).name).toBe('A');
  });

  it('updates given fields, clears optional ones with null, and counts versions', async () => {
    const user = await signedInUser();
    const habit = await user.call<Habit>('habits-create', {
      name: 'Water',
      color: '#00AAFF',
      reminderTime: '08:30',
      schedule: { type: 'daily' },
    });
    const updated = await user.call<Habit>('habits-update', {
      id: habit.id,
      expectedVersion: 1,
      schedule: { type: 'weekly', days: [1, 3, 5] },
      color: null,
      targetPerDay: 8,
    });
    expect(updated).toMatchObject({
      id: habit.id,
      name: 'Water',
      reminderTime: '08:30',
      schedule: { type: 'weekly', days: [1, 3, 5] },
      targetPerDay: 8,
      version: 2,
      createdAt: habit.createdAt,
    });
    expect(updated).not.toHaveProperty('color');
    expect(await user.call('habits-get', { id: habit.id })).toEqual(updated);
  });

  it('rejects an update against a stale expectedVersion and changes nothing', async () => {
    const user = await signedInUser();
    const habit = await user.call<Habit>('habits-create', {
      name: 'Walk',
      schedule: { type: 'daily' },
    });
    await user.call('habits-update', { id: habit.id, name: 'Walk more' });
    const failure = await failureOf(
      user.call('habits-update', { id: habit.id, expectedVersion: 1, name: 'Stale' }),
    );
    expect(failure.code).toBe('functions/failed-precondition');
    expect(failure.message).toMatch(/version 2/);
    expect(await user.call('habits-get', { id: habit.id })).toMatchObject({
      name: 'Walk more',
      version: 2,
    });
  });

  it('lists habits in creation order, page by page, hiding archived ones by default', async () => {
    const user = await signedInUser();
    const names = ['h1', 'h2', 'h3', 'h4', 'h5'];
    for (const name of names) {
      await user.call('habits-create', {
        name,
        schedule: { type: 'daily' },
        archived: name === 'h3',
      });
    }
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await user.call<{ habits: Habit[]; nextPageToken?: string }>('habits-list', {
        limit: 2,
        ...(pageToken ? { pageToken } : {}),
      });
      seen.push(...page.habits.map((h) => h.name));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken);
    expect(seen).toEqual(['h1', 'h2', 'h4', 'h5']);
    expect(pages).toBe(2);

    const all = await user.call<{ habits: Habit[]; nextPageToken?: string }>('habits-list', {
      includeArchived: true,
    });
    expect(all.habits.map((h) => h.name)).toEqual(names);
    expect(all).not.toHaveProperty('nextPageToken');
  });

  it('rejects a page token it did not issue', async () => {
    const user = await signedInUser();
    const failure = await failureOf(user.call('habits-list', { pageToken: 'not-a-token' }));
    expect(failure.code).toBe('functions/invalid-argument');
    expect(failure.details).toEqual({
      issues: [{ path: 'pageToken', message: expect.any(String) }],
    });
  });

  it('deletes a habit with its completions and streak, takes back its XP and leaves a tombstone', async () => {
    const user = await signedInUser();
    const keep = await user.call<Habit>('habits-create', {
      name: 'Keep',
      schedule: { type: 'daily' },
    });
    const drop = await user.call<Habit>('habits-create', {
      name: 'Drop',
      schedule: { type: 'daily' },
    });
    await user.call('completions-log', { habitId: keep.id, date: '2026-01-01' });
    await user.call('completions-log', { habitId: drop.id, date: '2026-01-01', count: 2 });
    await user.call('completions-log', { habitId: drop.id, date: '2026-01-02' });

    expect(await user.call('habits-delete', { id: drop.id })).toEqual({
      id: drop.id,
      deleted: true,
    });

    expect(await collectionIds(`users/${user.uid}/habits`)).toEqual([keep.id]);
    // The days go in the background, in pages: a long history never makes one huge commit.
    await eventually(
      async () => {
        const ids = await collectionIds(`users/${user.uid}/completions`);
        return ids.length === 1 ? ids : undefined;
      },
      { what: "the deleted habit's days purged" },
    );
    expect(await collectionIds(`users/${user.uid}/completions`)).toEqual([`${keep.id}_2026-01-01`]);
    expect(await collectionIds(`users/${user.uid}/streaks`)).toEqual([keep.id]);
    expect(await docData(`users/${user.uid}/tombstones/${drop.id}`)).toMatchObject({
      kind: 'habit',
      version: 2,
    });
    const { progress } = await user.call<{ progress: { totalXp: number } }>('progress-get');
    expect(progress.totalXp).toBe(10);
    expect((await failureOf(user.call('habits-get', { id: drop.id }))).code).toBe(
      'functions/not-found',
    );
    // A retried delete succeeds; the id cannot be reused for a new habit.
    expect(await user.call('habits-delete', { id: drop.id })).toEqual({
      id: drop.id,
      deleted: true,
    });
    const reuse = await failureOf(
      user.call('habits-create', { id: drop.id, name: 'Drop', schedule: { type: 'daily' } }),
    );
    expect(reuse.code).toBe('functions/already-exists');
  });

  it.each([
    ['habits-get', { id: 'nope' }],
    ['habits-update', { id: 'nope', name: 'x' }],
    ['habits-delete', { id: 'nope' }],
    ['completions-log', { habitId: 'nope', date: '2026-01-01' }],
    ['completions-delete', { habitId: 'nope', date: '2026-01-01' }],
  ])('%s answers not-found for an unknown id', async (name, input) => {
    const user = await signedInUser();
    expect((await failureOf(user.call(name, input))).code).toBe('functions/not-found');
    expect(await docData(`users/${user.uid}/meta/sync`)).toBeUndefined();
  });
});
