import { adminDb, outboxDrained } from '../support/admin';
import { deleteAllClients, signedInUser } from '../support/client';
import { sweepStaleOutbox } from '../../../functions/src/data/outbox/outboxSweep';
import { config } from '../../../functions/src/config';
import { legacyUserWithToken, sim } from '../support/simulator';

afterAll(deleteAllClients);

async function legacyName(uid: string, habitId: string): Promise<unknown> {
  const { records } = await sim<{
    records: { recordName: string; fields: Record<string, { value: unknown }> }[];
  }>('GET', `/__sim/users/${uid}/records`);
  return records.find((r) => r.recordName === `CD_Habit_${habitId}`)?.fields.CD_name?.value;
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('stale-outbox sweep', () => {
  it('re-drives a committed change whose delivery was lost, and a failed one after its wait', async () => {
    const user = await signedInUser();
    await user.call('legacy-link', { webAuthToken: await legacyUserWithToken(user.uid) });
    const habit = await user.call<{ id: string }>('habits-create', {
      name: 'Swept',
      schedule: { type: 'daily' },
    });
    await until(async () => (await legacyName(user.uid, habit.id)) === 'Swept');
    await outboxDrained(user.uid);

    // A change committed in Firestore whose entry's tasks are all gone: written as failed (so the
    // trigger queues nothing), an hour old, as a refusal or lost task leaves it.
    const old = new Date(Date.now() - 2 * 60 * 60_000).toISOString();
    await adminDb()
      .doc(`users/${user.uid}/habits/${habit.id}`)
      .update({ name: 'Swept later', version: 2, updatedAt: new Date().toISOString() });
    const entry = adminDb().doc(`users/${user.uid}/legacyOutbox/CD_Habit_${habit.id}`);
    await entry.set({
      recordName: `CD_Habit_${habit.id}`,
      kind: 'habit',
      id: habit.id,
      status: 'failed',
      createdAt: old,
      updatedAt: old,
      attempts: 1,
      lastError: { code: 'rejected', message: 'refused once' },
    });
    expect(await legacyName(user.uid, habit.id)).toBe('Swept'); // nothing else re-drives it

    // The scheduled function runs exactly this (the emulator cannot fire a v2 schedule on demand).
    expect(
      await sweepStaleOutbox(adminDb(), new Date(), config.outboxSweep),
    ).toBeGreaterThanOrEqual(1);
    await until(async () => (await legacyName(user.uid, habit.id)) === 'Swept later');
    expect(await outboxDrained(user.uid)).toEqual([]);
  });
});
