import { adminDb } from '../support/admin';
import { deleteAllClients, signedInUser } from '../support/client';

afterAll(deleteAllClients);

describe('migration-status', () => {
  it('answers not_started for a user whose migration does not exist yet', async () => {
    const user = await signedInUser();
    expect(await user.call('migration-status')).toEqual({ status: 'not_started' });
  });

  it('returns the stored migration state of the caller', async () => {
    const user = await signedInUser();
    const state = {
      status: 'running',
      runId: 'run-1',
      cursor: 'opaque',
      batches: 3,
      counts: { habits: 4, completions: 120, xp: 1, streaks: 4, skipped: 0, quarantined: 1 },
      attempts: 1,
      schemaVersion: 1,
    };
    await adminDb().doc(`users/${user.uid}/meta/migration`).set(state);
    expect(await user.call('migration-status')).toEqual(state);
  });
});
