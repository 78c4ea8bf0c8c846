import { collectionIds, docData } from '../support/admin';
import { deleteAllClients, failureOf, signedInUser } from '../support/client';

interface Streak {
  habitId: string;
  current: number;
  longest: number;
  lastCompletedDate: string | null;
}
interface Progress {
  totalXp: number;
  level: number;
  xpIntoLevel: number;
  xpForNextLevel: number;
}
interface Logged {
  completion: Record<string, unknown> & { id: string; version: number; count: number };
  progress: Progress;
  streak: Streak;
}

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

afterAll(deleteAllClients);

async function userWithHabit(fields: Record<string, unknown> = {}) {
  const user = await signedInUser();
  const habit = await user.call<{ id: string }>('habits-create', {
    name: 'Meditate',
    schedule: { type: 'daily' },
    ...fields,
  });
  return { user, habitId: habit.id };
}

describe('completions callables, as the app calls them', () => {
  it('logs a completion and answers with the completion, the XP progress and the streak', async () => {
    const { user, habitId } = await userWithHabit();
    const logged = await user.call<Logged>('completions-log', {
      habitId,
      date: today(),
      count: 3,
      note: 'calm',
    });
    expect(logged.completion).toMatchObject({
      id: `${habitId}_${today()}`,
      habitId,
      date: today(),
      count: 3,
      note: 'calm',
      version: 1,
    });
    expect(logged.progress).toEqual({
      totalXp: 30,
      level: 1,
      xpIntoLevel: 30,
      xpForNextLevel: 100,
    });
    expect(logged.streak).toEqual({ habitId, current: 1, longest: 1, lastCompletedDate: today() });
    expect(await docData(`users/${user.uid}/meta/progress`)).toMatchObject({ totalXp: 30 });
    expect(await collectionIds(`users/${user.uid}/xpEvents`)).toHaveLength(1);
  });

  it('re-logging the same day replaces count and note, and adjusts XP by the difference', async () => {
    const { user, habitId } = await userWithHabit();
    await user.call('completions-log', { habitId, date: daysAgo(1), count: 5, note: 'first' });
    const again = await user.call<Logged>('completions-log', {
      habitId,
      date: daysAgo(1),
      count: 2,
    });
    expect(again.completion).toMatchObject({ count: 2, version: 2 });
    expect(again.completion).not.toHaveProperty('note');
    expect(again.progress.totalXp).toBe(20);
    const retried = await user.call<Logged>('completions-log', {
      habitId,
      date: daysAgo(1),
      count: 2,
    });
    expect(retried.progress.totalXp).toBe(20);
    expect(await collectionIds(`users/${user.uid}/completions`)).toEqual([
      `${habitId}_${daysAgo(1)}`,
    ]);
  });

  it('levels up at 100 XP', async () => {
    const { user, habitId } = await userWithHabit();
    const logged = await user.call<Logged>('completions-log', {
      habitId,
      date: today(),
      count: 12,
    });
    expect(logged.progress).toEqual({
      totalXp: 120,
      level: 2,
      xpIntoLevel: 20,
      xpForNextLevel: 200,
    });
  });

  it('builds a streak over consecutive days, counting only days that reach the target', async () => {
    const { user, habitId } = await userWithHabit({ targetPerDay: 2 });
    await user.call('completions-log', { habitId, date: daysAgo(3), count: 2 });
    await user.call('completions-log', { habitId, date: daysAgo(2), count: 2 });
    const short = await user.call<Logged>('completions-log', {
      habitId,
      date: daysAgo(1),
      count: 1,
    });
    expect(short.streak).toMatchObject({ current: 0, longest: 2, lastCompletedDate: daysAgo(2) });
    const fixed = await user.call<Logged>('completions-log', {
      habitId,
      date: daysAgo(1),
      count: 2,
    });
    expect(fixed.streak).toMatchObject({ current: 3, longest: 3, lastCompletedDate: daysAgo(1) });
  });

  it('deletes a completion, takes its XP back, shortens the streak and leaves a tombstone', async () => {
    const { user, habitId } = await userWithHabit();
    await user.call('completions-log', { habitId, date: daysAgo(1) });
    await user.call('completions-log', { habitId, date: today(), count: 4 });
    const after = await user.call<{ progress: Progress; streak: Streak }>('completions-delete', {
      habitId,
      date: today(),
    });
    expect(after.progress.totalXp).toBe(10);
    expect(after.streak).toMatchObject({ current: 1, longest: 1, lastCompletedDate: daysAgo(1) });
    expect(await docData(`users/${user.uid}/tombstones/${habitId}_${today()}`)).toMatchObject({
      kind: 'completion',
      version: 2,
    });
    // A retried delete is harmless; logging the day again continues the version sequence.
    const retried = await user.call<{ progress: Progress }>('completions-delete', {
      habitId,
      date: today(),
    });
    expect(retried.progress.totalXp).toBe(10);
    const relogged = await user.call<Logged>('completions-log', { habitId, date: today() });
    expect(relogged.completion.version).toBe(3);
    expect(await docData(`users/${user.uid}/tombstones/${habitId}_${today()}`)).toBeUndefined();
  });

  it('lists completions in a date range, optionally for one habit', async () => {
    const { user, habitId } = await userWithHabit();
    const other = await user.call<{ id: string }>('habits-create', {
      name: 'Other',
      schedule: { type: 'daily' },
    });
    for (const date of ['2026-01-01', '2026-01-05', '2026-01-10']) {
      await user.call('completions-log', { habitId, date });
    }
    await user.call('completions-log', { habitId: other.id, date: '2026-01-05' });
    const ranged = await user.call<{ completions: { habitId: string; date: string }[] }>(
      'completions-list',
      { from: '2026-01-02', to: '2026-01-10' },
    );
    const dates = ranged.completions.map((c) => c.date);
    expect(dates).toEqual(['2026-01-05', '2026-01-05', '2026-01-10']);
    expect(ranged.completions.map((c) => `${c.date}:${c.habitId === habitId}`).sort()).toEqual([
      '2026-01-05:false',
      '2026-01-05:true',
      '2026-01-10:true',
    ]);
    const oneHabit = await user.call<{ completions: { date: string }[] }>('completions-list', {
      habitId,
      from: '2026-01-01',
      to: '2026-01-05',
    });
    expect(oneHabit.completions.map((c) => c.date)).toEqual(['2026-01-01', '2026-01-05']);
  });

  it('refuses a day after today in the user time zone, and changes nothing', async () => {
    const { user, habitId } = await userWithHabit();
    const failure = await failureOf(user.call('completions-log', { habitId, date: daysAgo(-5) }));
    expect(failure.code).toBe('functions/invalid-argument');
    expect(failure.details).toEqual({ issues: [{ path: 'date', message: expect.any(String) }] });
    expect(await collectionIds(`users/${user.uid}/completions`)).toEqual([]);
  });

  it('progress-get returns the total and every habit streak, as of today', async () => {
    const { user, habitId } = await userWithHabit();
    const stale = await user.call<{ id: string }>('habits-create', {
      name: 'Lapsed',
      schedule: { type: 'daily' },
    });
    await user.call('completions-log', { habitId, date: today() });
    await user.call('completions-log', { habitId: stale.id, date: daysAgo(10) });
    await user.call('completions-log', { habitId: stale.id, date: daysAgo(9) });
    const answer = await user.call<{ progress: Progress; streaks: Streak[] }>('progress-get');
    expect(answer.progress.totalXp).toBe(30);
    expect(
      answer.streaks.sort((a, b) => a.lastCompletedDate!.localeCompare(b.lastCompletedDate!)),
    ).toEqual([
      { habitId: stale.id, current: 0, longest: 2, lastCompletedDate: daysAgo(9) },
      { habitId, current: 1, longest: 1, lastCompletedDate: today() },
    ]);
  });
});
