import { collectionIds, docData, outboxDrained } from '../support/admin';
import { deleteAllClients, signedInUser } from '../support/client';
import { legacyUserWithToken, sim } from '../support/simulator';

interface CkRecord {
  recordName: string;
  fields: Record<string, { value: unknown }>;
}

afterAll(deleteAllClients);
afterEach(() => sim('DELETE', '/__sim/faults'));

async function legacyRecords(uid: string): Promise<Map<string, Record<string, unknown>>> {
  const { records } = await sim<{ records: CkRecord[] }>('GET', `/__sim/users/${uid}/records`);
  return new Map(
    records.map((r) => [
      r.recordName,
      Object.fromEntries(Object.entries(r.fields).map(([k, v]) => [k, v.value])),
    ]),
  );
}

/** Polls until the legacy store holds what `expected` says (undefined: the record is gone). */
async function eventually(
  uid: string,
  recordName: string,
  expected: Record<string, unknown> | undefined,
  timeoutMs = 45_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> | undefined;
  while (Date.now() < deadline) {
    last = (await legacyRecords(uid)).get(recordName);
    if (expected === undefined ? last === undefined : last && matches(last, expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${recordName} is ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`);
}

function matches(actual: Record<string, unknown>, expected: Record<string, unknown>): boolean {
  return Object.entries(expected).every(
    ([k, v]) => JSON.stringify(actual[k]) === JSON.stringify(v),
  );
}

async function linkedUser() {
  const user = await signedInUser();
  await user.call('legacy-link', { webAuthToken: await legacyUserWithToken(user.uid) });
  return user;
}

describe('dual-write: Firestore first, the legacy store second', () => {
  it('carries every callable change to the legacy store with the same content and version', async () => {
    const user = await linkedUser();
    const habit = await user.call<{ id: string }>('habits-create', {
      name: 'Floss',
      emoji: '🦷',
      schedule: { type: 'weekly', days: [1, 4] },
    });
    const habitRecord = `CD_Habit_${habit.id}`;
    await eventually(user.uid, habitRecord, {
      CD_name: 'Floss',
      CD_emoji: '🦷',
      CD_scheduleType: 'weekly',
      CD_scheduleDays: '1,4',
      CD_version: 1,
    });

    await user.call('habits-update', {
      id: habit.id,
      name: 'Floss daily',
      schedule: { type: 'daily' },
    });
    await eventually(user.uid, habitRecord, {
      CD_name: 'Floss daily',
      CD_scheduleType: 'daily',
      CD_version: 2,
    });

    await user.call('completions-log', {
      habitId: habit.id,
      date: '2026-01-02',
      count: 2,
      note: 'ok',
    });
    const completionRecord = `CD_Completion_${habit.id}_2026-01-02`;
    await eventually(user.uid, completionRecord, {
      CD_habit: habitRecord,
      CD_date: '2026-01-02',
      CD_count: 2,
      CD_note: 'ok',
      CD_version: 1,
    });

    await user.call('completions-delete', { habitId: habit.id, date: '2026-01-02' });
    await eventually(user.uid, completionRecord, undefined);

    await user.call('completions-log', { habitId: habit.id, date: '2026-01-03' });
    await eventually(user.uid, `CD_Completion_${habit.id}_2026-01-03`, { CD_count: 1 });
    await user.call('habits-delete', { id: habit.id });
    await eventually(user.uid, habitRecord, undefined);
    await eventually(user.uid, `CD_Completion_${habit.id}_2026-01-03`, undefined);
    expect(await outboxDrained(user.uid)).toEqual([]);
  });

  it.each([
    ['down (503 with retryAfter)', { kind: 'unavailable', count: 6, retryAfter: 1 }],
    ['throttling (429)', { kind: 'throttle', count: 6, retryAfter: 1 }],
    ['resetting connections', { kind: 'reset', count: 6 }],
  ])(
    'legacy store %s: the call succeeds at once, the outbox keeps the change, and it arrives later',
    async (_case, fault) => {
      const user = await linkedUser();
      await sim('POST', '/__sim/faults', fault);
      const started = Date.now();
      const habit = await user.call<{ id: string }>('habits-create', {
        name: 'Resilient',
        schedule: { type: 'daily' },
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await docData(`users/${user.uid}/habits/${habit.id}`)).toBeDefined();
      expect(await collectionIds(`users/${user.uid}/legacyOutbox`)).toEqual([
        `CD_Habit_${habit.id}`,
      ]);

      await eventually(user.uid, `CD_Habit_${habit.id}`, { CD_name: 'Resilient', CD_version: 1 });
      expect(await outboxDrained(user.uid)).toEqual([]);
    },
  );

  it('never lets an older version overwrite a newer one, whatever order deliveries run in', async () => {
    const user = await linkedUser();
    await sim('POST', '/__sim/faults', { kind: 'unavailable', count: 3, retryAfter: 1 });
    const habit = await user.call<{ id: string }>('habits-create', {
      name: 'v1',
      schedule: { type: 'daily' },
    });
    for (const name of ['v2', 'v3', 'v4']) await user.call('habits-update', { id: habit.id, name });
    // Racing deliveries conflict and retry with backoff: allow several rounds of it.
    await eventually(user.uid, `CD_Habit_${habit.id}`, { CD_name: 'v4', CD_version: 4 }, 150_000);
    expect(await outboxDrained(user.uid)).toEqual([]);
    expect((await legacyRecords(user.uid)).get(`CD_Habit_${habit.id}`)).toMatchObject({
      CD_name: 'v4',
      CD_version: 4,
    });
  }, 240_000);

  it('parks writes of a user without a CloudKit token, and delivers them once the app links', async () => {
    const user = await signedInUser();
    const habit = await user.call<{ id: string }>('habits-create', {
      name: 'Later',
      schedule: { type: 'daily' },
    });
    const outboxDoc = `users/${user.uid}/legacyOutbox/CD_Habit_${habit.id}`;
    const deadline = Date.now() + 30_000;
    while ((await docData(outboxDoc))?.status !== 'awaiting_link' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await docData(outboxDoc))?.status).toBe('awaiting_link');

    await user.call('legacy-link', { webAuthToken: await legacyUserWithToken(user.uid) });
    await eventually(user.uid, `CD_Habit_${habit.id}`, { CD_name: 'Later', CD_version: 1 });
  });
});
