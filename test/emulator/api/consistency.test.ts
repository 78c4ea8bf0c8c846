import { randomUUID } from 'node:crypto';
import { flagDefaults } from '../../../functions/src/flags/flagDefaults';
import { logs } from '../../../functions/src/logs';
import { ConsistencyFindings } from '../../../functions/src/migration/consistency/consistencyFindings';
import {
  consistencyRefs,
  openInconsistencyId,
  type OpenInconsistency,
  totalsOf,
} from '../../../functions/src/migration/consistency/consistencyRecords';
import { ContinuousVerification } from '../../../functions/src/migration/consistency/continuousVerification';
import { ShadowComparison } from '../../../functions/src/migration/consistency/shadowComparison';
import { MigrationStateStore } from '../../../functions/src/migration/migrationStateStore';
import type { VerificationReport } from '../../../functions/src/migration/migrationVerifier';
import type { Telemetry } from '../../../functions/src/telemetry/telemetryEvents';
import { telemetryReport } from '../../../functions/src/telemetry/telemetryReport';
import { adminDb, docData, outboxDrained } from '../support/admin';
import {
  publishBackfill,
  resetFlags,
  setFlags,
  testLegacyStore,
  waitForCompletion,
} from '../support/backfill';
import { deleteAllClients, signedInAdmin, signedInUser } from '../support/client';
import { eventually } from '../support/eventually';
import { habitRecord, linkExisting, putLegacyRecords } from '../support/legacyRecords';
import { ops } from '../support/opsCli';
import { sim } from '../support/simulator';

afterAll(async () => {
  await sim('DELETE', '/__sim/faults');
  await resetFlags();
  await deleteAllClients();
});
afterEach(() => sim('DELETE', '/__sim/faults'));

const PLANTED = `Planted ${randomUUID()}`;

/** A signed-in user whose CloudKit habits have been migrated (dual-write on, as by default). */
async function migratedUser(habitIds: string[]) {
  const user = await signedInUser();
  await sim('POST', '/__sim/users', { uid: user.uid });
  await putLegacyRecords(
    user.uid,
    habitIds.map((id) => habitRecord(id, { name: 'Walk' })),
  );
  await linkExisting(user.uid);
  await publishBackfill({ type: 'user', uid: user.uid });
  expect((await waitForCompletion(user.uid)).status).toBe('completed');
  // The run's own deliveries (its streaks) settle first.
  expect(await outboxDrained(user.uid)).toEqual([]);
  return user;
}

async function legacyName(uid: string, habitId: string): Promise<unknown> {
  const { records } = await sim<{
    records: { recordName: string; fields: Record<string, { value: unknown }> }[];
  }>('GET', `/__sim/users/${uid}/records`);
  return records.find((r) => r.recordName === `CD_Habit_${habitId}`)?.fields.CD_name?.value;
}

/** The old app's record changed behind the system's back: new name, the same edit time. */
const plant = (uid: string, habitId: string) =>
  putLegacyRecords(uid, [habitRecord(habitId, { name: PLANTED })]);

const openDoc = (uid: string, habitId: string) =>
  docData(`ops/consistency/open/${openInconsistencyId(uid, `CD_Habit_${habitId}`)}`) as Promise<
    OpenInconsistency | undefined
  >;

const shadowCounts = async () =>
  (await telemetryReport(adminDb(), new Date(Date.now() - 3_600_000), new Date())).shadowCompare;

/** The verification module in this process, against the same Firestore and simulator. */
function inProcess(repair: boolean) {
  const db = adminDb();
  const flags = async () => ({ ...flagDefaults, consistencyRepairEnabled: repair });
  const findings = new ConsistencyFindings(db, async () => {});
  const states = new MigrationStateStore(db);
  const legacy = testLegacyStore();
  const noTelemetry: Telemetry = { record: () => {} };
  return {
    verification: new ContinuousVerification({
      db,
      legacy,
      states,
      flags,
      findings,
      settings: { usersPerRun: 1, budgetMs: 60_000, openPerUser: 100 },
    }),
    shadow: new ShadowComparison({ db, legacy, states, telemetry: noTelemetry, flags, findings }),
  };
}

/**
 * What the code in this process logs: every log line goes through a named function of logs.ts,
 * so its arguments are what reaches the log. Each line is the function's name and arguments.
 */
function capturedLogs() {
  const spies = (Object.keys(logs) as (keyof typeof logs)[]).map(
    (name) => [name, jest.spyOn(logs, name)] as const,
  );
  return {
    lines: () =>
      spies.flatMap(([name, spy]) =>
        spy.mock.calls.map((args) => `${name} ${JSON.stringify(args)}`),
      ),
    restore: () => spies.forEach(([, spy]) => spy.mockRestore()),
  };
}

describe('consistency: shadow comparison, continuous verification, repair', () => {
  it('finds a planted difference by shadow comparison and by verification, repairs it, and closes it once equal', async () => {
    const habitId = randomUUID();
    const user = await migratedUser([habitId]);
    await setFlags({ shadowComparePercentage: '100', consistencyRepairEnabled: 'false' });
    const before = await shadowCounts();

    await plant(user.uid, habitId);
    expect(await legacyName(user.uid, habitId)).toBe(PLANTED);

    // A read answers from Firestore; its comparison finds the difference in the background.
    const listed = await user.call<{ habits: { id: string; name: string }[] }>('habits-list', {});
    expect(listed.habits).toMatchObject([{ id: habitId, name: 'Walk' }]);
    const found = await eventually(() => openDoc(user.uid, habitId), {
      what: 'the open inconsistency',
    });
    expect(found).toMatchObject({
      uid: user.uid,
      recordName: `CD_Habit_${habitId}`,
      kind: 'habit',
      fields: ['name'],
      foundBy: 'shadow',
    });
    expect(found.repairRequestedAt).toBeUndefined();
    expect(JSON.stringify(found)).not.toContain(PLANTED);
    await eventually(
      async () =>
        (await shadowCounts()).byKind.habit.inconsistent > before.byKind.habit.inconsistent ||
        undefined,
      { what: 'the inconsistent comparison counted' },
    );

    // The same comparison, and a verification, in this process: their log lines name the field.
    const { shadow, verification } = inProcess(false);
    const logged = capturedLogs();
    let lines: string[] = [];
    let report: VerificationReport;
    try {
      const task = { uid: user.uid, kind: 'habit' as const, ids: [habitId] };
      const compared = await shadow.run({ ...task, requestedAt: new Date().toISOString() }, true);
      expect(compared).toEqual(new Map([[`CD_Habit_${habitId}`, 'inconsistent']]));
      report = await verification.verifyUser(user.uid);
    } finally {
      // Read before the spies go: restoring them forgets their calls.
      lines = logged.lines();
      logged.restore();
    }
    expect(report.differences).toEqual([
      {
        recordName: `CD_Habit_${habitId}`,
        kind: 'habit',
        fields: ['name'],
        problem: 'fields differ: name',
      },
    ]);
    const inconsistencyLines = lines.filter((line) => line.startsWith('inconsistencyFound '));
    expect(inconsistencyLines).toHaveLength(2);
    for (const line of inconsistencyLines) expect(line).toContain('["name"]');
    for (const line of lines) expect(line).not.toContain(PLANTED);
    expect(await docData(`users/${user.uid}/meta/consistency`)).toMatchObject({
      records: report.legacyRecords,
      mismatches: 1,
      consistent: report.legacyRecords - 1,
    });

    // With repair on, the next comparison sends Firestore's copy back through delivery.
    await setFlags({ shadowComparePercentage: '100', consistencyRepairEnabled: 'true' });
    const repairedBefore = totalsOf(await docData('ops/consistency')).repaired;
    await user.call('habits-get', { id: habitId });
    await eventually(
      async () => ((await legacyName(user.uid, habitId)) === 'Walk' ? true : undefined),
      {
        what: 'CloudKit equal to Firestore again',
      },
    );
    const repairing = await openDoc(user.uid, habitId);
    expect(repairing?.repairRequestedAt).toEqual(expect.any(String));
    expect(totalsOf(await docData('ops/consistency')).repaired).toBeGreaterThan(repairedBefore);

    // Only a later comparison finding the record equal closes it.
    expect(await outboxDrained(user.uid)).toEqual([]);
    await eventually(
      async () => {
        await user.call('habits-list', {});
        return (await openDoc(user.uid, habitId)) === undefined ? true : undefined;
      },
      { what: 'the open inconsistency closed', intervalMs: 1_000 },
    );
    const verified = await inProcess(true).verification.verifyUser(user.uid);
    expect(verified.differences).toEqual([]);
  }, 240_000);

  it('never changes a read nor makes it wait while CloudKit is slow or down', async () => {
    const habitIds = [randomUUID(), randomUUID()];
    const user = await migratedUser(habitIds);
    await setFlags({ shadowComparePercentage: '0' });
    const unsampled = await user.call('habits-list', {});
    const unsampledOne = await user.call('habits-get', { id: habitIds[0] });
    const before = await shadowCounts();

    await setFlags({ shadowComparePercentage: '100' });
    // Every CloudKit call for this user answers only after 8 s.
    await sim('POST', '/__sim/faults', {
      kind: 'delay',
      delayMs: 8_000,
      count: 100,
      uid: user.uid,
    });
    const started = Date.now();
    expect(await user.call('habits-list', {})).toEqual(unsampled);
    expect(await user.call('habits-get', { id: habitIds[0] })).toEqual(unsampledOne);
    expect(Date.now() - started).toBeLessThan(4_000);

    // CloudKit down: the answer is the same, and the comparison is given up as `failed`.
    await sim('DELETE', '/__sim/faults');
    await sim('POST', '/__sim/faults', { kind: 'unavailable', count: 1_000, uid: user.uid });
    const downStarted = Date.now();
    expect(await user.call('habits-list', {})).toEqual(unsampled);
    expect(Date.now() - downStarted).toBeLessThan(4_000);
    await eventually(
      async () => ((await shadowCounts()).failed > before.failed ? true : undefined),
      { what: 'a failed comparison counted', timeoutMs: 150_000, intervalMs: 1_000 },
    );
  }, 240_000);

  it("replaces a re-verified user's figures in the totals instead of adding to them", async () => {
    const habitIds = [randomUUID(), randomUUID()];
    const user = await migratedUser(habitIds);
    const admin = await signedInAdmin();
    const totals = async () => totalsOf(await docData('ops/consistency'));

    const start = await totals();
    const first = await admin.call<VerificationReport>('admin-verifyUser', { uid: user.uid });
    expect(first.differences).toEqual([]);
    const once = await totals();
    expect(once.records - start.records).toBe(first.legacyRecords);
    expect(once.consistent - start.consistent).toBe(first.legacyRecords);
    expect(once.usersVerified - start.usersVerified).toBe(1);

    // Verified again (the schedule's pass, from just before the user): nothing is added.
    await consistencyRefs(adminDb()).totals.set(
      { verificationCursor: `users/${user.uid}/meta/migratio` },
      { merge: true },
    );
    const pass = await inProcess(false).verification.run();
    expect(pass.verified.map((r) => r.uid)).toEqual([user.uid]);
    const twice = await totals();
    expect(twice.records - once.records).toBe(0);
    expect(twice.consistent - once.consistent).toBe(0);
    expect(twice.usersVerified - once.usersVerified).toBe(0);

    // A difference since: the user's figures move from consistent to mismatch, records stay.
    await plant(user.uid, habitIds[1]);
    const third = await admin.call<VerificationReport>('admin-verifyUser', { uid: user.uid });
    expect(third.differences).toHaveLength(1);
    const after = await totals();
    expect(after.records - twice.records).toBe(0);
    expect(after.consistent - twice.consistent).toBe(-1);
    expect(after.mismatches - twice.mismatches).toBe(1);
    expect(await docData(`users/${user.uid}/meta/consistency`)).toMatchObject({
      records: first.legacyRecords,
      mismatches: 1,
    });
  }, 240_000);

  it('runs one pass of continuous verification from the command line and prints the totals', async () => {
    const habitId = randomUUID();
    const user = await migratedUser([habitId]);
    await plant(user.uid, habitId);
    // The pass starts just before this user (the pass takes the next users in path order).
    await consistencyRefs(adminDb()).totals.set(
      { verificationCursor: `users/${user.uid}/meta/migratio` },
      { merge: true },
    );
    const run = await ops(['verify', '--continuous']);
    expect(run.stdout).toContain(`CD_Habit_${habitId}: fields differ: name`);
    expect(run.stdout).toMatch(/totals over \d+ users' latest checks: \d+ records/);
    expect(run.stdout).not.toContain(PLANTED);
    expect(run.code).toBe(1);
    expect(await openDoc(user.uid, habitId)).toMatchObject({
      foundBy: 'verification',
      fields: ['name'],
    });
    expect((await ops(['verify', '--continuous', '--uid', user.uid])).code).toBe(2);
  }, 240_000);
});
