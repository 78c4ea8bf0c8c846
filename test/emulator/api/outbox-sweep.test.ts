import { adminDb, outboxDrained } from '../support/admin';
import { deleteAllClients, signedInUser } from '../support/client';
import { sweepStaleOutbox } from '../../../functions/src/data/outbox/outboxSweep';
import { legacyUserWithToken, sim } from '../support/simulator';

afterAll(deleteAllClients);

async function legacyName(uid: string, habitId: string): Promise<unknown> {
  const { records } = await sim<{
    records: { recordName: string; fields: Record<string, { value: unknown }> }[];
  }>('GET', `/__sim/users/${uid}/records`);
  return records.find((r) => r.recordName === `CD_Habit_${habitId}`)?.fields.CD_name?.value;
}

describe('stale-outbox sweep', () => {
  it('re-drives a committed change whose delivery was never queued', async () => {
    const user = await signedInUser();
    await user.call('legacy-link', { webAuthToken: await legacyUserWithToken(user.uid) });
    const habit = await user.call<Record<string, unknown> & { id: string }>('habits-create', {
      name: 'Swept',
      schedule: { type: 'daily' },
    });
    const firstDeadline = Date.now() + 30_000;
    while ((await legacyName(user.uid, habit.id)) !== 'Swept' && Date.now() < firstDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    // A committed change whose delivery task is gone: created as failed (so the trigger's task
    // does nothing), then made pending and an hour old, as a lost task leaves it.
    const old = new Date(Date.now() - 60 * 60_000).toISOString();
    const ref = adminDb().doc(`users/${user.uid}/legacyOutbox/habit_${habit.id}_v2`);
    const change = {
      kind: 'habit',
      op: 'upsert',
      id: habit.id,
      version: 2,
      entity: { ...habit, name: 'Swept later', version: 2 },
    };
    await ref.set({ change, status: 'failed', enqueues: 1, createdAt: old, updatedAt: old });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await ref.update({ status: 'pending' });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await legacyName(user.uid, habit.id)).toBe('Swept'); // nothing else re-drives it

    // The scheduled function runs exactly this (the emulator cannot fire a v2 schedule on demand).
    expect(await sweepStaleOutbox(adminDb(), new Date())).toBeGreaterThanOrEqual(1);
    const deadline = Date.now() + 30_000;
    let name: unknown;
    while (
      (name = await legacyName(user.uid, habit.id)) !== 'Swept later' &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(name).toBe('Swept later');
    expect(await outboxDrained(user.uid)).toEqual([]);
  });
});
