import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import type { DashboardReport } from '../../../functions/src/migration/dashboard/dashboardReport';
import type { MigrationStats } from '../../../functions/src/migration/migrationStats';
import type { RolloutReport } from '../../../functions/src/migration/rollout/rolloutReport';
import type { TelemetryReport } from '../../../functions/src/telemetry/telemetryReport';
import { adminDb, outboxDrained } from '../support/admin';
import { isFinished, publishBackfill, waitForCompletion, waitForState } from '../support/backfill';
import { deleteAllClients, failureOf, signedInAdmin, signedInUser } from '../support/client';
import { eventually } from '../support/eventually';
import { habitRecord, linkExisting, putLegacyRecords } from '../support/legacyRecords';
import { sim } from '../support/simulator';

afterAll(deleteAllClients);

type Admin = Awaited<ReturnType<typeof signedInAdmin>>;

interface UserLookup {
  uid: string;
  state: MigrationState | null;
  counts: Record<string, number>;
  lastError: string | null;
  catchUp: { following: boolean; lastCaughtUpAt: string | null; lagMs: number | null };
  consistency: Record<string, unknown> | null;
}

/** A signed-in user whose CloudKit habits the functions have migrated (through Pub/Sub). */
async function migratedUser() {
  const user = await signedInUser();
  await sim('POST', '/__sim/users', { uid: user.uid });
  await putLegacyRecords(user.uid, [
    habitRecord(randomUUID(), { name: 'Walk' }),
    habitRecord(randomUUID(), { name: 'Read' }),
  ]);
  await linkExisting(user.uid);
  await publishBackfill({ type: 'user', uid: user.uid });
  expect((await waitForCompletion(user.uid)).status).toBe('completed');
  expect(await outboxDrained(user.uid)).toEqual([]);
  return user;
}

/** The migration statistics less the one figure that moves with the clock. */
const steady = (stats: MigrationStats) => ({
  ...stats,
  catchUp: { ...stats.catchUp, dueBefore: undefined },
});

/**
 * The dashboard and the single-purpose callable, asked in a quiet moment: the callable answers
 * the same before and after the dashboard, so nothing moved in between.
 */
async function quietly<T>(admin: Admin, ask: () => Promise<T>, hours?: number) {
  return eventually(
    async () => {
      const before = await ask();
      // An undefined field would reach the callable as null.
      const dashboard = await admin.call<DashboardReport>(
        'admin-dashboard',
        hours ? { hours } : {},
      );
      const after = await ask();
      return isDeepStrictEqual(before, after) ? { dashboard, single: after } : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000, what: 'a quiet moment' },
  );
}

describe('admin dashboard callables', () => {
  it('refuse a user without the admin claim', async () => {
    const user = await signedInUser();
    for (const [name, data] of [
      ['admin-dashboard', {}],
      ['admin-userLookup', { uid: user.uid }],
      ['admin-requeueUser', { uid: user.uid }],
    ] as const) {
      expect((await failureOf(user.call(name, data))).code).toBe('functions/permission-denied');
    }
  });
});

describe('admin-dashboard', () => {
  it('answers every figure a refresh needs, hour by hour', async () => {
    const admin = await signedInAdmin();
    await migratedUser();
    const report = await eventually(
      async () => {
        const answer = await admin.call<DashboardReport>('admin-dashboard', {});
        // The run's completion and duration are counted when its task ends.
        const recent = answer.hours.slice(-2);
        return recent.some((h) => h.usersCompleted > 0 && h.migrationP95Ms !== null)
          ? answer
          : undefined;
      },
      { what: 'the completed run in the hourly series' },
    );
    expect(report.refreshSeconds).toBe(10);
    expect(Date.parse(report.generatedAt)).not.toBeNaN();
    expect(report.hours).toHaveLength(6);
    const starts = report.hours.map((h) => Date.parse(h.hour));
    expect(starts.map((t, i) => (i === 0 ? 3_600_000 : t - starts[i - 1]))).toEqual(
      new Array(6).fill(3_600_000),
    );
    expect(Date.now() - starts[5]).toBeLessThan(3_600_000 + 60_000);
    expect(Object.keys(report.hours[0]).sort()).toEqual(
      [
        'cache',
        'deliveries',
        'hour',
        'migrationP95Ms',
        'primary',
        'recordsMigrated',
        'secondary',
        'shadow',
        'usersCompleted',
      ].sort(),
    );
    expect(report.hours.reduce((n, h) => n + h.recordsMigrated, 0)).toBeGreaterThanOrEqual(2);
    expect(report.flags.sources.backfillEnabled).toBeDefined();
    expect(report.consistency.verification.target).toBe(0.9999);
    expect(report.outbox).toEqual({
      pending: expect.any(Number),
      oldestPendingAgeMs: report.outbox.oldestPendingAgeMs,
      failed: expect.any(Number),
    });
    expect(report.quarantined).toBe(report.migration.failures.quarantinedRecords);
    expect(Array.isArray(report.recentFailures)).toBe(true);

    const three = await admin.call<DashboardReport>('admin-dashboard', { hours: 3 });
    expect(three.hours).toHaveLength(3);
  });

  it('matches admin-migrationStats, admin-telemetry, admin-rollout and admin-flags', async () => {
    const admin = await signedInAdmin();
    const stats = await quietly(admin, async () =>
      steady(await admin.call<MigrationStats>('admin-migrationStats')),
    );
    expect(steady(stats.dashboard.migration)).toEqual(stats.single);

    const hours = 4;
    const telemetry = await quietly(
      admin,
      async () => {
        const since = new Date(Math.floor(Date.now() / 3_600_000 - (hours - 1)) * 3_600_000);
        const answer = await admin.call<TelemetryReport>('admin-telemetry', {
          since: since.toISOString(),
        });
        return {
          dualWrite: answer.dualWrite,
          cache: answer.cache,
          shadowCompare: answer.shadowCompare,
        };
      },
      hours,
    );
    const { dualWrite, cache, shadowCompare } = telemetry.dashboard;
    expect({ dualWrite, cache, shadowCompare }).toEqual(telemetry.single);

    const rollout = await quietly(admin, async () => {
      const answer = await admin.call<RolloutReport & { templateVersion: string | null }>(
        'admin-rollout',
        {},
      );
      return {
        stage: answer.stage,
        next: answer.next,
        previous: answer.previous,
        templateVersion: answer.templateVersion,
        // A gate's figure may be an age, which moves with the clock; its verdict does not.
        gates: answer.gates.map((gate) => ({ name: gate.name, status: gate.status })),
      };
    });
    const { stage, next, previous, templateVersion, gates } = rollout.dashboard.rollout;
    expect({
      stage,
      next,
      previous,
      templateVersion,
      gates: gates.map((gate) => ({ name: gate.name, status: gate.status })),
    }).toEqual(rollout.single);

    const flags = await admin.call<{ flags: unknown; sources: unknown }>('admin-flags', {});
    const dashboard = await admin.call<DashboardReport>('admin-dashboard', {});
    expect(dashboard.flags).toEqual({ values: flags.flags, sources: flags.sources });
  });

  it('lists the latest failed runs, newest first, leaving dry runs out', async () => {
    const admin = await signedInAdmin();
    const [failed, dry] = [`failed-${randomUUID()}`, `dry-${randomUUID()}`];
    const at = new Date().toISOString();
    await adminDb()
      .doc(`users/${failed}/meta/migration`)
      .set({
        status: 'failed',
        dryRun: false,
        runId: 'run-1',
        updatedAt: at,
        lastError: { code: 'permission_denied', message: 'CloudKit refused the token', at },
      });
    await adminDb()
      .doc(`users/${dry}/meta/migrationDryRun`)
      .set({ status: 'failed', dryRun: true, runId: 'run-1', updatedAt: at });
    const report = await admin.call<DashboardReport>('admin-dashboard', {});
    expect(report.recentFailures.length).toBeLessThanOrEqual(5);
    expect(report.recentFailures[0]).toEqual({
      uid: failed,
      status: 'failed',
      error: 'CloudKit refused the token',
      at,
    });
    expect(report.recentFailures.map((f) => f.uid)).not.toContain(dry);
    const times = report.recentFailures.map((f) => f.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('rejects hours outside 1-24', async () => {
    const admin = await signedInAdmin();
    for (const hours of [0, 25, 1.5, '6']) {
      const failure = await failureOf(admin.call('admin-dashboard', { hours }));
      expect(failure.code).toBe('functions/invalid-argument');
    }
  });
});

describe('admin-userLookup and admin-requeueUser', () => {
  it('look up a migrated user, and queue their backfill again', async () => {
    const admin = await signedInAdmin();
    const user = await migratedUser();

    const found = await admin.call<UserLookup>('admin-userLookup', { uid: user.uid });
    expect(found).toMatchObject({
      uid: user.uid,
      state: { status: 'completed' },
      lastError: null,
      catchUp: { following: expect.any(Boolean) },
    });
    expect(found.counts.habits).toBe(2);
    expect(found.consistency === null || typeof found.consistency === 'object').toBe(true);

    const queued = await admin.call<MigrationState>('admin-requeueUser', { uid: user.uid });
    expect(['queued', 'running']).toContain(queued.status);
    expect(queued.runId).not.toBe(found.state?.runId);
    const done = await waitForState(
      user.uid,
      (state) => state?.runId === queued.runId && isFinished(state),
    );
    expect(done.status).toBe('completed');
  });

  it('say not-found for a uid the backend has never seen, and change nothing', async () => {
    const admin = await signedInAdmin();
    const uid = `unknown-${randomUUID()}`;
    for (const name of ['admin-userLookup', 'admin-requeueUser']) {
      expect((await failureOf(admin.call(name, { uid }))).code).toBe('functions/not-found');
    }
    expect((await adminDb().doc(`users/${uid}/meta/migration`).get()).exists).toBe(false);
  });

  it('refuse input that is not a uid, and change nothing', async () => {
    const admin = await signedInAdmin();
    for (const data of [{}, { uid: '' }, { uid: 'a/b' }, { uid: 'x', extra: 1 }]) {
      for (const name of ['admin-userLookup', 'admin-requeueUser']) {
        expect((await failureOf(admin.call(name, data))).code).toBe('functions/invalid-argument');
      }
    }
    expect((await adminDb().doc('users/x/meta/migration').get()).exists).toBe(false);
  });
});
