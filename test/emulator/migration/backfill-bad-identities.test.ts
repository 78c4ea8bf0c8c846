import { randomUUID } from 'node:crypto';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import { migrationErrorId } from '../../../functions/src/migration/backfillBatchWriter';
import { adminDb, collectionIds, docData } from '../support/admin';
import {
  countedRecords,
  expectExactCopy,
  isFinished,
  publishBackfill,
  resetFlags,
  setFlags,
  verify,
  waitForCompletion,
} from '../support/backfill';
import { deleteAllClients, signedInAdmin } from '../support/client';
import { eventually } from '../support/eventually';
import {
  completionRecord,
  habitRecord,
  linkExisting,
  linkedLegacyUser,
  putLegacyRecords,
  type RawRecord,
  streakRecord,
  xpRecord,
} from '../support/legacyRecords';
import { sim } from '../support/simulator';

afterAll(async () => {
  await resetFlags();
  await deleteAllClients();
});

async function invalidIdentities(admin: Awaited<ReturnType<typeof signedInAdmin>>) {
  const report = await admin.call<{ counts: Record<string, Record<string, number>> }>(
    'admin-telemetry',
    {},
  );
  return report.counts.backfillFanOut?.invalidIdentity ?? 0;
}

describe('legacy data that names what Firestore refuses', () => {
  it('the `all` fan-out passes over an AppUser whose uid is "a/b" and migrates everyone after it', async () => {
    const admin = await signedInAdmin();
    const before = await invalidIdentities(admin);
    await setFlags({ backfillRolloutPercentage: '100' });
    const prefix = `badid-${randomUUID().slice(0, 8)}-`;
    const { added: good } = await sim<{ added: string[] }>('POST', '/__sim/seed', {
      users: 30,
      days: 2,
      uidPrefix: prefix,
    });
    await Promise.all(good.map(linkExisting));
    // The public query lists users by uid: these come before (`000/…` < `001`) and among them.
    const bad = [`${prefix}000/bad`, `${prefix}015/${'x'.repeat(200)}`];
    for (const uid of bad) await sim('POST', '/__sim/users', { uid });

    await publishBackfill({ type: 'all' });

    const states = await eventually(
      async () => {
        const snaps = await adminDb().getAll(
          ...good.map((uid) => adminDb().doc(`users/${uid}/meta/migration`)),
        );
        const all = snaps.map((snap) => snap.data() as MigrationState | undefined);
        return all.every(isFinished) ? all : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 2_000, what: 'every good user migrated' },
    );
    for (const state of states) expect(state?.status).toBe('completed');
    await eventually(
      async () => ((await invalidIdentities(admin)) >= before + bad.length ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'both bad AppUsers counted' },
    );
  }, 400_000);

  it('records named "..", "__x__" and "a/b" migrate under escaped ids; one too long is quarantined', async () => {
    const uid = await linkedLegacyUser();
    const habitId = randomUUID();
    const tooLong = 'x'.repeat(1_600);
    const records: RawRecord[] = [
      habitRecord(habitId),
      completionRecord(habitId, '2025-01-04'),
      // The backfill delivers the habit's recounted streak to CloudKit: with a streak record there
      // already, the number of records CloudKit holds stays the same whenever the check runs.
      streakRecord(habitId, 1),
      xpRecord('..', 5),
      xpRecord('__x__', 7),
      xpRecord('a/b', 11),
      xpRecord(tooLong, 13),
      { recordName: '__gone__', deleted: true },
    ];
    await putLegacyRecords(uid, records);

    await publishBackfill({ type: 'user', uid });
    const state = await waitForCompletion(uid);

    expect(state.status).toBe('completed_with_errors');
    expect(state.counts).toMatchObject({ habits: 1, completions: 1, xp: 3, quarantined: 1 });
    expect(countedRecords(state)).toBe(records.length);
    expect(await collectionIds(`users/${uid}/xpEvents`)).toEqual(
      expect.arrayContaining(['legacy-~..', 'legacy-~__x__', 'legacy-~a%2Fb']),
    );
    expect(await docData(`users/${uid}/meta/progress`)).toMatchObject({ legacyXp: 23 });
    const quarantine = await docData(
      `users/${uid}/migrationErrors/${migrationErrorId(`CD_XPEvent_${tooLong}`)}`,
    );
    expect(quarantine?.reason).toContain('cannot be a Firestore document id');
    // The verifier reads the escaped ids as the backfill wrote them, the quarantine included.
    expectExactCopy(await verify(uid), records.length);
  }, 180_000);
});
