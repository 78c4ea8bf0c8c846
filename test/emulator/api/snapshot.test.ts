import type { Rate } from '../../../functions/src/telemetry/telemetryReport';
import { randomUUID } from 'node:crypto';
import { publishBackfill, waitForCompletion } from '../support/backfill';
import { deleteAllClients, failureOf, signedInAdmin, signedInUser } from '../support/client';
import {
  everyRecordType,
  habitRecord,
  linkExisting,
  putLegacyRecords,
} from '../support/legacyRecords';
import { sim } from '../support/simulator';

afterAll(deleteAllClients);

interface Snapshot {
  version: number;
  notModified?: true;
  habits?: { id: string; name: string }[];
  completions?: { date: string }[];
  progress?: { totalXp: number };
  streaks?: { habitId: string; current: number }[];
  settings?: { timeZone: string };
  source?: string;
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function cacheCounts(admin: Awaited<ReturnType<typeof signedInAdmin>>) {
  const { counts } = await admin.call<{ counts: Record<string, Record<string, number>> }>(
    'admin-telemetry',
    {},
  );
  return { hit: 0, miss: 0, notModified: 0, ...counts.snapshotCache };
}

describe('snapshot-get', () => {
  it('returns what the home screen needs: habits, five weeks of completions, progress, streaks, settings', async () => {
    const user = await signedInUser();
    await user.call('habits-create', { id: 'read', name: 'Read', schedule: { type: 'daily' } });
    await user.call('completions-log', { habitId: 'read', date: daysAgo(0) });
    await user.call('completions-log', { habitId: 'read', date: daysAgo(1) });
    await user.call('completions-log', { habitId: 'read', date: daysAgo(40) });

    const snapshot = await user.call<Snapshot>('snapshot-get', {});

    expect(snapshot.version).toBe(4);
    expect(snapshot.habits?.map((h) => h.id)).toEqual(['read']);
    expect(snapshot.completions?.map((c) => c.date)).toEqual([daysAgo(1), daysAgo(0)]);
    expect(snapshot.progress?.totalXp).toBe(30);
    expect(snapshot.streaks).toEqual([
      { habitId: 'read', current: 2, longest: 2, lastCompletedDate: daysAgo(0) },
    ]);
    expect(snapshot.settings).toEqual({ timeZone: 'UTC' });
    expect(snapshot.source).toBeUndefined();
  });

  it('answers notModified for the current version, and serves a repeat from the cache', async () => {
    const admin = await signedInAdmin();
    const user = await signedInUser();
    await user.call('habits-create', { name: 'Stretch', schedule: { type: 'daily' } });
    const before = await cacheCounts(admin);

    const first = await user.call<Snapshot>('snapshot-get', {});
    const again = await user.call<Snapshot>('snapshot-get', {});
    const unchanged = await user.call<Snapshot>('snapshot-get', { sinceVersion: first.version });

    expect(again).toEqual(first);
    expect(unchanged).toEqual({ version: first.version, notModified: true });
    const after = await cacheCounts(admin);
    expect(after.miss - before.miss).toBe(1);
    expect(after.hit - before.hit).toBe(1);
    expect(after.notModified - before.notModified).toBe(1);

    // admin-telemetry judges the cache and the migration against their targets.
    const report = await admin.call<{
      cache: { hitRate: Rate };
      migration: { completion: Rate };
    }>('admin-telemetry', {});
    const hits = after.hit + after.notModified;
    expect(report.cache.hitRate).toEqual({
      success: hits,
      failure: after.miss,
      rate: hits / (hits + after.miss),
      target: 0.8,
      pass: hits / (hits + after.miss) > 0.8,
    });
    expect(report.migration.completion.target).toBe(0.9);
  });

  it('is invalidated by API writes, settings the app saves, and the backfill', async () => {
    const user = await signedInUser();
    const created = await user.call<{ id: string }>('habits-create', {
      name: 'Walk',
      schedule: { type: 'daily' },
    });
    const v1 = await user.call<Snapshot>('snapshot-get', {});

    // An API write (its commit also records the legacy outbox entry).
    await user.call('habits-update', { id: created.id, name: 'Long walk' });
    const v2 = await user.call<Snapshot>('snapshot-get', { sinceVersion: v1.version });
    expect(v2.version).toBeGreaterThan(v1.version);
    expect(v2.habits?.[0].name).toBe('Long walk');

    // Settings the app writes to Firestore directly: a trigger bumps the version moments later.
    await user.saveSettings({ timeZone: 'Asia/Tokyo' });
    let v3 = v2;
    for (let i = 0; i < 40 && (v3.notModified || v3.version === v2.version); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      v3 = await user.call<Snapshot>('snapshot-get', { sinceVersion: v2.version });
    }
    expect(v3.settings).toEqual({ timeZone: 'Asia/Tokyo' });

    // The backfill's commits.
    await sim('POST', '/__sim/users', { uid: user.uid });
    await putLegacyRecords(user.uid, everyRecordType(randomUUID()));
    await linkExisting(user.uid);
    await publishBackfill({ type: 'user', uid: user.uid });
    await waitForCompletion(user.uid);
    const v4 = await user.call<Snapshot>('snapshot-get', { sinceVersion: v3.version });
    expect(v4.notModified).toBeUndefined();
    expect(v4.habits).toHaveLength(2);
    expect(v4.progress?.totalXp).toBe(150);
  }, 120_000);

  it('answers from the legacy store for a user not migrated yet, marked as such', async () => {
    const user = await signedInUser();
    const habitId = randomUUID();
    const { webAuthToken } = await (async () => {
      await sim('POST', '/__sim/users', { uid: user.uid });
      return sim<{ webAuthToken: string }>('POST', '/__sim/tokens', { uid: user.uid });
    })();
    await putLegacyRecords(user.uid, [habitRecord(habitId, { name: 'Guitar' })]);
    await user.call('legacy-link', { webAuthToken });

    const snapshot = await user.call<Snapshot>('snapshot-get', {});
    expect(snapshot).toMatchObject({ source: 'legacy', habits: [{ id: habitId, name: 'Guitar' }] });
  });

  it('rejects a sinceVersion that is not a whole number, changing nothing', async () => {
    const user = await signedInUser();
    for (const sinceVersion of [-1, 1.5, '3']) {
      const failure = await failureOf(user.call('snapshot-get', { sinceVersion }));
      expect(failure.code).toBe('functions/invalid-argument');
      expect(failure.details).toMatchObject({ issues: [{ path: 'sinceVersion' }] });
    }
    const unknown = await failureOf(user.call('snapshot-get', { since: 1 }));
    expect(unknown.details).toMatchObject({
      issues: [{ path: 'since', message: 'unknown field' }],
    });
  });
});
