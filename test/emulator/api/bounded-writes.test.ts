import { adminDb } from '../support/admin';
import { publishBackfill, waitForCompletion } from '../support/backfill';
import { deleteAllClients, signedInUser } from '../support/client';
import { eventually } from '../support/eventually';
import {
  completionRecord,
  dayAfterStart,
  habitRecord,
  putLegacyRecords,
} from '../support/legacyRecords';
import { legacyUserWithToken, sim } from '../support/simulator';

interface Streak {
  habitId: string;
  current: number;
  longest: number;
  lastCompletedDate: string | null;
}

afterAll(deleteAllClients);

const HABIT = '7d8e2f9a-1b3c-4d5e-8f60-a1b2c3d4e5f6';

async function legacyRecordNames(uid: string): Promise<string[]> {
  const { records } = await sim<{ records: { recordName: string }[] }>(
    'GET',
    `/__sim/users/${uid}/records`,
  );
  return records.map((r) => r.recordName);
}

async function completionsOf(uid: string, habitId: string): Promise<number> {
  const snap = await adminDb()
    .collection(`users/${uid}/completions`)
    .where('habitId', '==', habitId)
    .count()
    .get();
  return snap.data().count;
}

/** The user's local day in a time zone, as the server computes it. */
function localDay(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(at);
}

describe('every write costs the same whatever the history', () => {
  it('a streak is right the day after a future-dated log, with no write in between', async () => {
    const user = await signedInUser();
    // A traveller whose home zone is a day behind: they log their "tomorrow".
    const behind = 'Etc/GMT+12';
    await user.saveSettings({ timeZone: behind });
    const habit = await user.call<{ id: string }>('habits-create', {
      name: 'Walk',
      schedule: { type: 'daily' },
    });
    const tomorrow = new Date(Date.parse(`${localDay(behind)}T00:00:00Z`) + 86_400_000)
      .toISOString()
      .slice(0, 10);
    const logged = await user.call<{ streak: Streak }>('completions-log', {
      habitId: habit.id,
      date: tomorrow,
    });
    expect(logged.streak).toMatchObject({ current: 0, lastCompletedDate: null });

    // The user's day moves on (a zone 26 hours ahead stands for the next day): no write happens.
    await user.saveSettings({ timeZone: 'Pacific/Kiritimati' });
    expect(localDay('Pacific/Kiritimati') >= tomorrow).toBe(true);
    const { streaks } = await eventually(
      async () => {
        const answer = await user.call<{ streaks: Streak[] }>('progress-get');
        return answer.streaks[0]?.current === 1 ? answer : undefined;
      },
      { timeoutMs: 90_000, what: 'the streak counting the day once it came' },
    );
    expect(streaks).toEqual([
      { habitId: habit.id, current: 1, longest: 1, lastCompletedDate: tomorrow },
    ]);
  });

  it('a schedule change recounts the streak in the background', async () => {
    const user = await signedInUser();
    const habit = await user.call<{ id: string }>('habits-create', {
      name: 'Stretch',
      schedule: { type: 'daily' },
      targetPerDay: 1,
    });
    const today = localDay('UTC');
    await user.call('completions-log', { habitId: habit.id, date: today, count: 1 });
    await user.call('habits-update', { id: habit.id, targetPerDay: 2 });
    await eventually(
      async () => {
        const { streaks } = await user.call<{ streaks: Streak[] }>('progress-get');
        return streaks[0]?.current === 0 ? true : undefined;
      },
      { timeoutMs: 90_000, what: 'the day no longer counting under the new target' },
    );
    const logged = await user.call<{ streak: Streak }>('completions-log', {
      habitId: habit.id,
      date: today,
      count: 2,
    });
    expect(logged.streak).toMatchObject({ current: 1, lastCompletedDate: today });
  });

  it('contended logs of one habit, in any order, all land or answer a retryable code', async () => {
    const user = await signedInUser();
    const habit = await user.call<{ id: string }>('habits-create', {
      name: 'Read',
      schedule: { type: 'daily' },
    });
    const today = localDay('UTC');
    const DAYS = 120;
    const days = Array.from({ length: DAYS }, (_, i) =>
      new Date(Date.parse(today) - i * 86_400_000).toISOString().slice(0, 10),
    );
    // Shuffled: back-dated days join runs, split none, and arrive in no particular order.
    for (let i = days.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [days[i], days[j]] = [days[j], days[i]];
    }
    const codes: string[] = [];
    const logDay = async (date: string): Promise<void> => {
      for (;;) {
        try {
          await user.call('completions-log', { habitId: habit.id, date });
          return;
        } catch (error) {
          const code = (error as { code?: string }).code ?? String(error);
          codes.push(code);
          // What an app does with a retryable answer; anything else fails the test below.
          if (code !== 'functions/aborted' && code !== 'functions/unavailable') return;
        }
      }
    };
    const queue = [...days];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let date = queue.pop(); date; date = queue.pop()) await logDay(date);
      }),
    );
    expect(codes.filter((c) => c !== 'functions/aborted' && c !== 'functions/unavailable')).toEqual(
      [],
    );
    const { progress, streaks } = await user.call<{
      progress: { totalXp: number };
      streaks: Streak[];
    }>('progress-get');
    expect(progress.totalXp).toBe(DAYS * 10);
    expect(streaks).toEqual([
      { habitId: habit.id, current: DAYS, longest: DAYS, lastCompletedDate: today },
    ]);
  }, 300_000);

  it('deletes a habit with 1,000 days through the callable; every day is gone on both sides', async () => {
    const user = await signedInUser();
    const token = await legacyUserWithToken(user.uid);
    const days = Array.from({ length: 1_000 }, (_, i) => completionRecord(HABIT, dayAfterStart(i)));
    await putLegacyRecords(user.uid, [habitRecord(HABIT), ...days]);
    await user.call('legacy-link', { webAuthToken: token });
    await publishBackfill({ type: 'user', uid: user.uid });
    await waitForCompletion(user.uid, { timeoutMs: 150_000 });
    expect(await completionsOf(user.uid, HABIT)).toBe(1_000);

    // 1,000 days used to mean 2,000 writes in one commit (over Firestore's 500).
    expect(await user.call('habits-delete', { id: HABIT })).toEqual({ id: HABIT, deleted: true });
    // Gone for the user at once, before the days are purged.
    expect(
      await user.call<unknown[]>('completions-list', {
        from: dayAfterStart(0),
        to: dayAfterStart(365),
        habitId: HABIT,
      }),
    ).toEqual({ completions: [] });

    await eventually(
      async () => ((await completionsOf(user.uid, HABIT)) === 0 ? true : undefined),
      {
        timeoutMs: 120_000,
        what: 'every completion purged from Firestore',
      },
    );
    await eventually(
      async () => {
        const left = (await legacyRecordNames(user.uid)).filter((n) => n.includes(HABIT));
        return left.length === 0 ? true : undefined;
      },
      // Delivery takes about 4 records a second in the emulator (one CloudKit call each).
      { timeoutMs: 420_000, what: 'every record of the habit deleted from CloudKit' },
    );
    const work = await adminDb().collection(`users/${user.uid}/habitWork`).get();
    expect(work.docs.map((d) => d.id)).toEqual([]);
  }, 720_000);
});
