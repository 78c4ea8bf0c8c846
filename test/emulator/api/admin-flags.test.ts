import { deleteAllClients, failureOf, signedInAdmin, signedInUser } from '../support/client';

afterAll(deleteAllClients);

interface FlagsAnswer {
  uid?: string;
  inBackfillRollout?: boolean;
  flags: Record<string, unknown>;
  sources: Record<string, string>;
  templateVersion?: string;
  stage: { name: string | null; percentage?: number; paused?: string[]; problem?: string };
}

describe('admin-flags', () => {
  it('refuses a user without the admin claim', async () => {
    const user = await signedInUser();
    expect((await failureOf(user.call('admin-flags', {}))).code).toBe(
      'functions/permission-denied',
    );
  });

  it('shows every flag in force and where it came from (the demo template here)', async () => {
    const admin = await signedInAdmin();
    const answer = await admin.call<FlagsAnswer>('admin-flags', {});
    expect(answer.flags).toEqual({
      dualWriteEnabled: true,
      backfillEnabled: true,
      legacyReadFallbackEnabled: true,
      backfillRolloutPercentage: 0,
      forceMigrationComplete: false,
      backfillBatchSize: 160,
      legacyTimeoutMs: 10000,
      legacyMaxRetries: 3,
      legacyCatchUpEnabled: true,
      legacyCatchUpIntervalMinutes: 60,
      debugLogging: false,
      shadowComparePercentage: 5,
      consistencyRepairEnabled: true,
    });
    expect(Object.values(answer.sources)).toEqual(Array(13).fill('remote'));
    expect(answer.templateVersion).toBe('1');
    expect(answer.stage).toEqual({ name: 'dual_write', percentage: 0, paused: [] });
  });

  it('answers for one user, with their place in the backfill rollout', async () => {
    const admin = await signedInAdmin();
    const answer = await admin.call<FlagsAnswer>('admin-flags', { uid: 'someone' });
    expect(answer).toMatchObject({ uid: 'someone', inBackfillRollout: false });
  });

  it('rejects unknown fields', async () => {
    const admin = await signedInAdmin();
    const failure = await failureOf(admin.call('admin-flags', { user: 'x' }));
    expect(failure.code).toBe('functions/invalid-argument');
  });
});
