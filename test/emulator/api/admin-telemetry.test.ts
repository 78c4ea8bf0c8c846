import type { Rate } from '../../../functions/src/telemetry/telemetryReport';
import { config } from '../../../functions/src/config';
import { FirestoreTelemetry } from '../../../functions/src/telemetry/firestoreTelemetry';
import { telemetryReport } from '../../../functions/src/telemetry/telemetryReport';
import { adminDb } from '../support/admin';
import { deleteAllClients, failureOf, signedInAdmin, signedInUser } from '../support/client';
import { legacyUserWithToken } from '../support/simulator';

afterAll(deleteAllClients);

interface Report {
  dualWrite: { primary: Rate; secondary: Rate & { parked: number } };
  fallbackReads: number;
}

describe('admin-telemetry', () => {
  it('refuses a user without the admin claim', async () => {
    const user = await signedInUser();
    expect((await failureOf(user.call('admin-telemetry', {}))).code).toBe(
      'functions/permission-denied',
    );
  });

  it('counts primary and secondary dual-write outcomes and judges them against the targets', async () => {
    const admin = await signedInAdmin();
    const before = await admin.call<Report>('admin-telemetry', {});
    const user = await signedInUser();
    await user.call('legacy-link', { webAuthToken: await legacyUserWithToken(user.uid) });
    for (const name of ['a', 'b', 'c']) {
      await user.call('habits-create', { name, schedule: { type: 'daily' } });
    }
    let after = await admin.call<Report>('admin-telemetry', {});
    const deadline = Date.now() + 30_000;
    while (after.dualWrite.secondary.success < before.dualWrite.secondary.success + 3) {
      if (Date.now() > deadline) throw new Error('deliveries were not counted');
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await admin.call<Report>('admin-telemetry', {});
    }
    expect(after.dualWrite.primary.success).toBeGreaterThanOrEqual(
      before.dualWrite.primary.success + 3,
    );
    expect(after.dualWrite.primary).toMatchObject({ target: 0.99 });
    expect(after.dualWrite.secondary).toMatchObject({ target: 0.95 });
    expect(after.dualWrite.primary.rate).toBeGreaterThan(0);
    expect(typeof after.dualWrite.primary.pass).toBe('boolean');
  });

  it('rejects a since that is not a timestamp', async () => {
    const admin = await signedInAdmin();
    const failure = await failureOf(admin.call('admin-telemetry', { since: 'yesterday' }));
    expect(failure.code).toBe('functions/invalid-argument');
  });
});

describe('telemetry counters', () => {
  it('add up exactly under many concurrent writers', async () => {
    // A clock of its own, far from now, so no other test's counts share these hours.
    const at = new Date('2031-03-04T05:06:07Z');
    // Instances flush on their own schedules: 20 of them, 10 events each, flushing together.
    const instances = Array.from(
      { length: 20 },
      () => new FirestoreTelemetry(adminDb(), undefined, () => at),
    );
    instances.forEach((telemetry, n) => {
      for (let i = n * 10; i < n * 10 + 10; i += 1) {
        telemetry.record('dualWritePrimary', i % 4 === 0 ? 'failure' : 'success', {
          uid: `u${i}`,
          latencyMs: 5,
        });
      }
    });
    await Promise.all(instances.map((telemetry) => telemetry.flush()));
    const report = await telemetryReport(adminDb(), new Date('2031-03-04T05:00:00Z'), at);
    expect(report.dualWrite.primary).toMatchObject({ success: 150, failure: 50, rate: 0.75 });
    expect(report.counts.dualWritePrimary.latencyMsTotal).toBe(1000);
    const shards = await adminDb().collection('ops/telemetry/hours/2031-03-04T05/shards').get();
    expect(shards.size).toBeGreaterThan(1);
    expect(shards.size).toBeLessThanOrEqual(config.telemetry.shards);
  });
});
