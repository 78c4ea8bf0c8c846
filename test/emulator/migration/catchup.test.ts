import { randomUUID } from 'node:crypto';
import { outboxDrained } from '../support/admin';
import {
  migrationState,
  publishBackfill,
  waitForCompletion,
  waitForState,
} from '../support/backfill';
import { deleteAllClients, failureOf, signedInUser } from '../support/client';
import {
  completionRecord,
  habitRecord,
  putLegacyRecords,
  type RawRecord,
  xpRecord,
} from '../support/legacyRecords';
import { legacyUserWithToken, SIM_URL, sim } from '../support/simulator';

afterAll(deleteAllClients);

const PRIVATE_DB = '/database/1/iCloud.com.example.habits/development/private';
const ZONE = { zoneName: 'com.apple.coredata.cloudkit.zone' };

/**
 * The old app on an iPad that was never updated: it holds its own web auth token and writes to
 * CloudKit over the Web Services protocol, as Core Data mirroring does. The backend hears of
 * nothing but what the change feed tells it.
 */
async function iPadWrites(
  uid: string,
  operations: Array<{ operationType: 'forceReplace' | 'forceDelete'; record: RawRecord }>,
): Promise<void> {
  const { webAuthToken } = await sim<{ webAuthToken: string }>('POST', '/__sim/tokens', { uid });
  const query = `ckAPIToken=sim-api-token&ckWebAuthToken=${encodeURIComponent(webAuthToken)}`;
  const response = await fetch(`${SIM_URL}${PRIVATE_DB}/records/modify?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ zoneID: ZONE, operations, atomic: false }),
  });
  const body = (await response.json()) as { records: Array<{ serverErrorCode?: string }> };
  expect(response.status).toBe(200);
  expect(body.records.filter((r) => r.serverErrorCode)).toEqual([]);
}

const dayBefore = (days: number) =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** Polls `check` until it stops throwing, or fails with its last error at the deadline. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

interface Streak {
  habitId: string;
  current: number;
}

describe('catch-up: what the old app writes after the migration still arrives', () => {
  it('a completion, an edit and a deletion on an old device reach the callables after legacy-link, counted once', async () => {
    const user = await signedInUser();
    const { uid } = user;
    const [kept, dropped] = [randomUUID(), randomUUID()];
    // Before the new app: two daily habits, days 5 to 2 ago on one, two days on the other, and
    // an XP event (10) for each day: 60 XP.
    const keptDays = [5, 4, 3, 2].map(dayBefore);
    const droppedDays = [5, 4].map(dayBefore);
    await sim('POST', '/__sim/users', { uid });
    await putLegacyRecords(uid, [
      habitRecord(kept, { name: 'Read' }),
      habitRecord(dropped, { name: 'Stretch' }),
      ...keptDays.map((date) => completionRecord(kept, date)),
      ...droppedDays.map((date) => completionRecord(dropped, date)),
      ...[...keptDays, ...droppedDays].map((date, i) =>
        xpRecord(`${uid}-xp-${i}`, 10, { at: `${date}T20:00:00.000Z` }),
      ),
    ]);

    // The new app links and migrates; then the user logs today in it (delivered to CloudKit).
    expect(
      await user.call('legacy-link', { webAuthToken: await legacyUserWithToken(uid) }),
    ).toEqual({ linked: true });
    await publishBackfill({ type: 'user', uid });
    expect((await waitForCompletion(uid)).status).toBe('completed');
    await user.call('completions-log', { habitId: kept, date: dayBefore(0) });
    expect(await outboxDrained(uid)).toEqual([]);
    const before = await user.call<{ progress: { totalXp: number }; streaks: Streak[] }>(
      'progress-get',
    );
    expect(before.progress.totalXp).toBe(70);
    expect(before.streaks.find((s) => s.habitId === kept)?.current).toBe(1); // yesterday missing
    const caughtUpBefore = (await migrationState(uid))?.catchUp;

    // The iPad, still on the old app: logs yesterday, renames a habit, deletes the other.
    const renamed = habitRecord(kept, { name: 'Read on the iPad', version: 2 });
    renamed.fields!.CD_updatedAt = { value: Date.now(), type: 'TIMESTAMP' };
    const yesterday = completionRecord(kept, dayBefore(1));
    await iPadWrites(uid, [
      { operationType: 'forceReplace', record: yesterday },
      {
        operationType: 'forceReplace',
        record: xpRecord(`${uid}-xp-ipad`, 10, { completion: yesterday.recordName }),
      },
      { operationType: 'forceReplace', record: renamed },
      { operationType: 'forceDelete', record: { recordName: `CD_Habit_${dropped}` } },
      ...droppedDays.map((date) => ({
        operationType: 'forceDelete' as const,
        record: { recordName: `CD_Completion_${dropped}_${date}` },
      })),
      { operationType: 'forceReplace', record: xpRecord(`${uid}-xp-ipad-undo`, -20) },
    ]);

    // The user opens the new app: it hands over a fresh token, which asks for a catch-up.
    expect(
      await user.call('legacy-link', { webAuthToken: await legacyUserWithToken(uid) }),
    ).toEqual({ linked: true });

    await eventually(async () => {
      expect(await user.call<{ name: string }>('habits-get', { id: kept })).toMatchObject({
        name: 'Read on the iPad',
      });
    });
    expect((await failureOf(user.call('habits-get', { id: dropped }))).code).toBe(
      'functions/not-found',
    );
    const { completions: days } = await user.call<{
      completions: Array<{ date: string; version: number }>;
    }>('completions-list', { habitId: kept, from: dayBefore(6), to: dayBefore(0) });
    expect(days.map((d) => d.date).sort()).toEqual(
      [...keptDays, dayBefore(1), dayBefore(0)].sort(),
    );
    // The day logged in the new app came back through the feed as this backend's own write.
    expect(days.find((d) => d.date === dayBefore(0))?.version).toBe(1);
    const deletedDays = await user.call<{ completions: unknown[] }>('completions-list', {
      habitId: dropped,
      from: dayBefore(6),
      to: dayBefore(0),
    });
    expect(deletedDays.completions).toEqual([]);

    // 70 - the deleted habit's 20 + yesterday's 10; the streak runs from 5 days ago to today.
    const after = await eventually(async () => {
      const progress = await user.call<{ progress: { totalXp: number }; streaks: Streak[] }>(
        'progress-get',
      );
      expect(progress.streaks.find((s) => s.habitId === kept)?.current).toBe(6);
      return progress;
    });
    expect(after.progress.totalXp).toBe(60);

    // Everything the iPad wrote was applied once; what this backend delivered came back as its own.
    const state = await waitForState(
      uid,
      (s) => (s?.catchUp?.passes ?? 0) > (caughtUpBefore?.passes ?? 0),
    );
    const catchUp = state.catchUp!;
    expect(catchUp.counts).toMatchObject({ habits: 1, completions: 1, xp: 2, deleted: 3 });
    expect(catchUp.echoes).toBeGreaterThanOrEqual(3); // today's day, its XP event, its streak
    expect(catchUp.following).toBe(true);
    expect(catchUp.caughtUpAt! > caughtUpBefore!.caughtUpAt!).toBe(true);
    expect(state.status).toBe('completed');
    expect((await user.call<{ catchUp: unknown }>('migration-status')).catchUp).toMatchObject({
      following: true,
      changes: catchUp.changes,
    });
  });
});
