import { docData } from '../support/admin';
import { deleteAllClients, failureOf, signedInUser, signedOutClient } from '../support/client';

afterAll(deleteAllClients);

const callables = [
  'habits-create',
  'habits-update',
  'habits-delete',
  'habits-get',
  'habits-list',
  'completions-log',
  'completions-delete',
  'completions-list',
  'progress-get',
  'migration-status',
  'legacy-link',
];

describe('authentication', () => {
  it.each(callables)('%s refuses a signed-out caller', async (name) => {
    const client = await signedOutClient();
    const failure = await failureOf(client.call(name, {}));
    expect(failure.code).toBe('functions/unauthenticated');
  });
});

describe('input validation: invalid-argument with the field path, and nothing changes', () => {
  it.each([
    ['habits-create', { schedule: { type: 'daily' } }, 'name'],
    ['habits-create', { name: '   ', schedule: { type: 'daily' } }, 'name'],
    ['habits-create', { name: 'x'.repeat(101), schedule: { type: 'daily' } }, 'name'],
    ['habits-create', { name: 'a', schedule: { type: 'monthly' } }, 'schedule.type'],
    ['habits-create', { name: 'a', schedule: { type: 'weekly', days: [] } }, 'schedule.days'],
    ['habits-create', { name: 'a', schedule: { type: 'weekly', days: [1, 1] } }, 'schedule.days'],
    ['habits-create', { name: 'a', schedule: { type: 'weekly', days: [7] } }, 'schedule.days.0'],
    [
      'habits-create',
      { name: 'a', schedule: { type: 'timesPerWeek', count: 8 } },
      'schedule.count',
    ],
    ['habits-create', { name: 'a', schedule: { type: 'daily' }, color: 'red' }, 'color'],
    ['habits-create', { name: 'a', schedule: { type: 'daily' }, targetPerDay: 0 }, 'targetPerDay'],
    [
      'habits-create',
      { name: 'a', schedule: { type: 'daily' }, reminderTime: '25:00' },
      'reminderTime',
    ],
    ['habits-create', { name: 'a', schedule: { type: 'daily' }, emoji: 'x'.repeat(17) }, 'emoji'],
    ['habits-create', { name: 'a', schedule: { type: 'daily' }, id: 'bad/id' }, 'id'],
    ['habits-create', { name: 'a', schedule: { type: 'daily' }, owner: 'me' }, 'owner'],
    ['habits-update', { id: 'h', name: 'a', expectedVersion: 0 }, 'expectedVersion'],
    ['habits-update', { id: 'h' }, ''],
    ['habits-list', { limit: 201 }, 'limit'],
    ['habits-get', {}, 'id'],
    ['completions-log', { habitId: 'h', date: '2026-02-30' }, 'date'],
    ['completions-log', { habitId: 'h', date: '2026-01-01', count: 1001 }, 'count'],
    ['completions-log', { habitId: 'h', date: '2026-01-01', note: 'n'.repeat(501) }, 'note'],
    ['completions-list', { from: '2025-01-01', to: '2026-01-03' }, 'to'],
    ['completions-list', { from: '2026-01-03', to: '2026-01-01' }, 'to'],
    ['progress-get', { verbose: true }, 'verbose'],
  ])('%s %j is rejected at %s', async (name, input, path) => {
    const user = await signedInUser();
    const failure = await failureOf(user.call(name, input));
    expect(failure.code).toBe('functions/invalid-argument');
    expect(failure.details).toEqual({
      issues: expect.arrayContaining([{ path, message: expect.any(String) }]),
    });
    expect(await docData(`users/${user.uid}/meta/sync`)).toBeUndefined();
  });

  it('names every bad field at once', async () => {
    const user = await signedInUser();
    const failure = await failureOf(
      user.call('habits-create', { name: '', schedule: { type: 'daily' }, color: 'blue', x: 1 }),
    );
    const paths = (failure.details as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths.sort()).toEqual(['color', 'name', 'x']);
  });
});

describe('one user never sees another user data', () => {
  it('keeps habits, completions, progress and ids apart', async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    const habit = await alice.call<{ id: string }>('habits-create', {
      id: 'shared-id',
      name: 'Alice only',
      schedule: { type: 'daily' },
    });
    await alice.call('completions-log', { habitId: habit.id, date: '2026-01-01', count: 5 });

    expect((await failureOf(bob.call('habits-get', { id: habit.id }))).code).toBe(
      'functions/not-found',
    );
    expect(await bob.call('habits-list', { includeArchived: true })).toEqual({ habits: [] });
    expect(await bob.call('completions-list', { from: '2026-01-01', to: '2026-01-31' })).toEqual({
      completions: [],
    });
    expect(await bob.call('progress-get')).toMatchObject({ progress: { totalXp: 0 }, streaks: [] });
    expect((await failureOf(bob.call('habits-delete', { id: habit.id }))).code).toBe(
      'functions/not-found',
    );
    expect(
      (await failureOf(bob.call('completions-log', { habitId: habit.id, date: '2026-01-02' })))
        .code,
    ).toBe('functions/not-found');

    // The same client id is free in Bob's own space.
    const bobs = await bob.call<{ id: string; name: string }>('habits-create', {
      id: 'shared-id',
      name: 'Bob only',
      schedule: { type: 'daily' },
    });
    expect(bobs.name).toBe('Bob only');
    expect(await alice.call('habits-get', { id: 'shared-id' })).toMatchObject({
      name: 'Alice only',
    });
  });
});
