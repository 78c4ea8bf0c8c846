import { randomUUID } from 'node:crypto';
import { inRollout } from '../../../functions/src/domain/rollout';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import { adminDb } from '../support/admin';
import {
  isFinished,
  migrationState,
  publishBackfill,
  resetFlags,
  setFlags,
  verify,
  waitForCompletion,
  countedRecords,
} from '../support/backfill';
import { deleteAllClients, failureOf, signedInAdmin, signedInUser } from '../support/client';
import {
  everyRecordType,
  linkExisting,
  linkedLegacyUser,
  putLegacyRecords,
} from '../support/legacyRecords';
import { sim } from '../support/simulator';

afterAll(async () => {
  await resetFlags();
  await deleteAllClients();
});

/** Demo users in the simulator, each with a CloudKit link, under a prefix of their own. */
async function seedLinkedUsers(count: number): Promise<string[]> {
  const uidPrefix = `fan-${randomUUID().slice(0, 8)}-`;
  const { added } = await sim<{ added: string[] }>('POST', '/__sim/seed', {
    users: count,
    days: 2,
    uidPrefix,
  });
  expect(added).toHaveLength(count);
  for (let i = 0; i < added.length; i += 20) {
    await Promise.all(added.slice(i, i + 20).map(linkExisting));
  }
  return added;
}

async function statesOf(uids: string[]): Promise<Map<string, MigrationState | undefined>> {
  const snaps = await adminDb().getAll(
    ...uids.map((uid) => adminDb().doc(`users/${uid}/meta/migration`)),
  );
  return new Map(snaps.map((snap, i) => [uids[i], snap.data() as MigrationState | undefined]));
}

async function waitForAll(uids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await statesOf(uids);
    const waiting = uids.filter((uid) => !isFinished(states.get(uid)));
    if (waiting.length === 0) return states;
    if (Date.now() > deadline) {
      throw new Error(
        `${waiting.length} users unfinished, e.g. ${JSON.stringify(states.get(waiting[0]))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

async function telemetryCounts(admin: Awaited<ReturnType<typeof signedInAdmin>>) {
  const report = await admin.call<{ counts: Record<string, Record<string, number>> }>(
    'admin-telemetry',
    {},
  );
  return report.counts;
}

describe('backfill of every legacy user', () => {
  it('migrates all of at least 200 users from one message, each exactly once', async () => {
    // Everyone in the rollout, rather than `force`, so users other suites migrated are left alone.
    await setFlags({ backfillRolloutPercentage: '100' });
    const uids = await seedLinkedUsers(200);

    await publishBackfill({ type: 'all' });
    const states = await waitForAll(uids, 480_000);

    for (const uid of uids) expect(states.get(uid)?.status).toBe('completed');
    // Each user's data, record for record; checked in parallel groups to keep it quick.
    for (let i = 0; i < uids.length; i += 20) {
      const reports = await Promise.all(uids.slice(i, i + 20).map(verify));
      for (const report of reports) {
        expect(report.differences).toEqual([]);
        expect(report.onlyInFirestore).toEqual({ habits: 0, completions: 0 });
        expect(countedRecords(states.get(report.uid))).toBe(report.legacyRecords);
      }
    }
  }, 600_000);

  it('without force, takes only the users inside the rollout percentage', async () => {
    await setFlags({ backfillRolloutPercentage: '50' });
    const uids = await seedLinkedUsers(24);
    const inside = uids.filter((uid) => inRollout(uid, 50));
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.length).toBeLessThan(uids.length);

    await publishBackfill({ type: 'all' });
    await waitForAll(inside, 240_000);
    // The fan-out has passed every page by now; give a straggler a moment, then look.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const states = await statesOf(uids);
    for (const uid of uids) {
      expect(states.get(uid)?.status).toBe(inside.includes(uid) ? 'completed' : undefined);
    }
  }, 300_000);

  it('a dry run maps and counts, and writes nothing but its own state', async () => {
    const uid = await linkedLegacyUser();
    const records = everyRecordType(randomUUID());
    records.push({ recordName: 'CD_Habit_broken', recordType: 'CD_Habit', fields: {} });
    await putLegacyRecords(uid, records);

    await publishBackfill({ type: 'user', uid, dryRun: true });
    const dry = await waitForCompletion(uid, { dryRun: true });

    expect(dry).toMatchObject({
      status: 'completed_with_errors',
      dryRun: true,
      counts: { habits: 1, completions: 2, xp: 2, streaks: 1, quarantined: 1, skipped: 0 },
    });
    expect(await migrationState(uid)).toBeUndefined();
    const written = await adminDb().doc(`users/${uid}`).listCollections();
    expect(written.map((c) => c.id)).toEqual(['meta']);
    const meta = await adminDb().collection(`users/${uid}/meta`).listDocuments();
    expect(meta.map((d) => d.id)).toEqual(['migrationDryRun']);
  });

  it('logs, counts and acknowledges invalid messages, and changes nothing', async () => {
    const admin = await signedInAdmin();
    const before = (await telemetryCounts(admin)).backfillMessage?.invalid ?? 0;
    const uid = await linkedLegacyUser();

    await publishBackfill('not json');
    await publishBackfill({ type: 'user' });
    await publishBackfill({ type: 'user', uid, force: 'yes' });
    await publishBackfill({ type: 'users', uids: [] });
    await publishBackfill({ type: 'everyone' });
    // Acknowledged, not redelivered: the count settles at exactly one per message.
    await new Promise((resolve) => setTimeout(resolve, 6_000));

    expect((await telemetryCounts(admin)).backfillMessage?.invalid).toBe(before + 5);
    expect(await migrationState(uid)).toBeUndefined();
  });

  it('admin-migrationStats reports users per status, records and migration times', async () => {
    const admin = await signedInAdmin();
    const before = await admin.call<Stats>('admin-migrationStats');
    const uids = [await linkedLegacyUser(), await linkedLegacyUser()];
    for (const uid of uids) await putLegacyRecords(uid, everyRecordType(randomUUID()));
    await publishBackfill({ type: 'users', uids });
    await Promise.all(uids.map((uid) => waitForCompletion(uid)));

    const after = await admin.call<Stats>('admin-migrationStats');
    expect(after.usersByStatus.completed).toBeGreaterThanOrEqual(
      (before.usersByStatus.completed ?? 0) + 2,
    );
    expect(after.recordsMigrated).toBeGreaterThanOrEqual(before.recordsMigrated + 12);
    expect(after.migrationTimeMs.completedRuns).toBeGreaterThanOrEqual(2);
    expect(after.migrationTimeMs.average).toBeGreaterThan(0);
    expect(after.migrationTimeMs.p95).toBeGreaterThanOrEqual(0);
    // Both are followed from now on; neither is due yet (the interval is an hour).
    expect(after.catchUp.following).toBeGreaterThanOrEqual(before.catchUp.following + 2);
    expect(after.catchUp.overdue).toBe(before.catchUp.overdue);

    const refused = await failureOf((await signedInUser()).call('admin-migrationStats'));
    expect(refused.code).toBe('functions/permission-denied');
  });
});

interface Stats {
  usersByStatus: Record<string, number>;
  recordsMigrated: number;
  failures: { users: number; quarantinedRecords: number };
  migrationTimeMs: { average: number | null; p95: number | null; completedRuns: number };
  catchUp: { following: number; overdue: number; changes: number; applied: number };
}
