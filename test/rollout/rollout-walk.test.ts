import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminDb, outboxDrained } from '../emulator/support/admin';
import { resetFlags, waitForCompletion } from '../emulator/support/backfill';
import {
  type AppClient,
  deleteAllClients,
  signedInAdmin,
  signedInUser,
} from '../emulator/support/client';
import { eventually } from '../emulator/support/eventually';
import {
  completionRecord,
  dayAfterStart,
  habitName,
  habitRecord,
  linkExisting,
  putLegacyRecords,
} from '../emulator/support/legacyRecords';
import { ops, ROOT, type Run } from '../emulator/support/opsCli';
import { sim } from '../emulator/support/simulator';

/**
 * The rollout of docs/operations.md §3 walked as an operator walks it, on an Emulator Suite of its
 * own (every figure the gates judge is project-wide): from `off` through every stage to `complete`
 * with `npm run ops -- rollout next`, on users the backfill migrated, with their own traffic in
 * each stage. Halfway, a CloudKit record is changed behind the system's back: the shadow
 * comparison of a read and the continuous verification both find it, `rollout next` refuses,
 * the repair makes both stores equal again, and the gates let the walk go on.
 */

interface Gate {
  name: string;
  figure: string;
  target: string;
  status: 'pass' | 'fail' | 'no_data';
}
interface RolloutStatus {
  stage: { name: string | null; percentage?: number; paused?: string[] };
  gates: Gate[];
}

const transcript: string[] = [];
const OUTPUT = join(ROOT, '.cache', 'test-results');

async function operator(args: string[]): Promise<Run> {
  const run = await ops(args);
  transcript.push(`$ npm run ops -- ${args.join(' ')}`);
  if (run.stdout.trim()) transcript.push(run.stdout.trimEnd());
  // Log lines (JSON) go to stderr too: keep only what ops itself says.
  const said = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('ops:') || line.startsWith('  '));
  if (said.length > 0) transcript.push(said.join('\n'));
  transcript.push(`(exit ${run.code})`, '');
  return run;
}

async function rolloutStatus(): Promise<RolloutStatus> {
  const run = await ops(['rollout', 'status', '--json']);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as RolloutStatus;
}

const failing = (status: RolloutStatus) =>
  status.gates.filter((gate) => gate.status === 'fail').map((g) => `${g.name}: ${g.figure}`);

let admin: AppClient;

/** Until the functions take the template just published (their flag cache is a second here). */
async function functionsAt(stage: string, percentage?: number): Promise<void> {
  await eventually(
    async () => {
      const answer = await admin.call<{ stage: RolloutStatus['stage'] }>('admin-flags', {});
      const there =
        answer.stage.name === stage &&
        (percentage === undefined || answer.stage.percentage === percentage);
      return there || undefined;
    },
    { what: `the functions at stage ${stage}` },
  );
}

/** Moves one stage on, as an operator does once `rollout status` shows every gate passing. */
async function next(stage: string, percentage?: number): Promise<void> {
  await operator(['rollout', 'status']);
  expect(failing(await rolloutStatus())).toEqual([]);
  const moved = await operator(['rollout', 'next']);
  expect(moved.code).toBe(0);
  await functionsAt(stage, percentage);
}

interface User extends AppClient {
  uid: string;
  habits: string[];
}

/** A user of the old app: three habits with a week of days in CloudKit, linked. */
async function oldAppUser(): Promise<User> {
  const user = await signedInUser();
  const habits = [randomUUID(), randomUUID(), randomUUID()];
  await sim('POST', '/__sim/users', { uid: user.uid });
  await putLegacyRecords(user.uid, [
    ...habits.map((id, i) => habitRecord(id, { name: `Habit ${i + 1}`, version: 1 })),
    ...habits.flatMap((id) =>
      Array.from({ length: 7 }, (_, day) => completionRecord(id, dayAfterStart(day))),
    ),
  ]);
  await linkExisting(user.uid);
  return { ...user, uid: user.uid, habits };
}

/** Some of each user's ordinary traffic: writes, then reads of what they wrote. */
async function traffic(users: User[], round: string): Promise<void> {
  for (const user of users) {
    const habit = await user.call<{ id: string }>('habits-create', {
      name: `Made in ${round}`,
      schedule: { type: 'daily' },
    });
    await user.call('completions-log', { habitId: habit.id, date: dayAfterStart(30), count: 1 });
    await user.call('habits-list', {});
  }
}

/** Continuous verification's consistency, as admin-telemetry reports it against its target. */
async function consistencyReport() {
  const report = await admin.call<{
    consistency: { verification: Record<string, unknown>; openInconsistencies: number };
  }>('admin-telemetry', {});
  return report.consistency;
}

async function openInconsistencies(): Promise<number> {
  return (await adminDb().collection('ops/consistency/open').count().get()).data().count;
}

async function cloudKitName(uid: string, habitId: string): Promise<unknown> {
  const { records } = await sim<{
    records: { recordName: string; fields: Record<string, { value: unknown }> }[];
  }>('GET', `/__sim/users/${encodeURIComponent(uid)}/records`);
  return records.find((r) => r.recordName === habitName(habitId))?.fields.CD_name?.value;
}

afterAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(join(OUTPUT, 'rollout-walk.txt'), `${transcript.join('\n')}\n`);
  await resetFlags();
  await deleteAllClients();
});

describe('the rollout, stage by stage, with its gates', () => {
  it('walks from off to complete on backfilled users; a planted inconsistency holds it until repaired', async () => {
    admin = await signedInAdmin();
    const users = [await oldAppUser(), await oldAppUser(), await oldAppUser()];

    // The committed template is dual_write; the walk starts before it. Every read of a migrated
    // user is compared, and repair waits until the inconsistency has been seen by both checks.
    expect((await operator(['rollout', 'status'])).stdout).toContain('stage: dual_write');
    expect((await operator(['rollout', 'back'])).code).toBe(0);
    await functionsAt('off');
    const tuned = await operator([
      'flags',
      'set',
      'shadowComparePercentage=100',
      'consistencyRepairEnabled=false',
    ]);
    expect(tuned.code).toBe(0);
    // Writes before dual-write are Firestore's only: the latency baseline. A user of the new app
    // alone makes them: the old app's users' writes from now on would never reach CloudKit.
    const newcomer = (await signedInUser()) as User;
    await traffic([{ ...newcomer, uid: newcomer.uid, habits: [] }], 'off');
    expect((await rolloutStatus()).stage.name).toBe('off');

    // dual_write: writes reach CloudKit through the outbox.
    await next('dual_write');
    await traffic(users, 'dual_write');
    for (const user of users) await outboxDrained(user.uid);
    expect(failing(await rolloutStatus())).toEqual([]);

    // backfill_rollout: the operator backfills the users (named users ignore the percentage).
    await next('backfill_rollout', 10);
    const list = join(tmpdir(), `rollout-users-${randomUUID()}.txt`);
    writeFileSync(list, `${users.map((u) => u.uid).join('\n')}\n`);
    expect((await operator(['backfill', '--uids-file', list])).code).toBe(0);
    for (const user of users) {
      expect((await waitForCompletion(user.uid)).status).toBe('completed');
    }
    await traffic(users, 'backfill_rollout');
    for (const user of users) await outboxDrained(user.uid);
    expect((await operator(['verify', '--continuous'])).code).toBe(0);
    expect(failing(await rolloutStatus())).toEqual([]);

    // Behind the system's back: CloudKit's copy of a migrated habit gets another name, with its
    // edit time unchanged, so neither side is newer and nothing in the feed explains it.
    const [victim] = users;
    const habitId = victim.habits[0];
    const firestoreName = (await victim.call<{ name: string }>('habits-get', { id: habitId })).name;
    const { records } = await sim<{
      records: Array<{ recordName: string; fields: Record<string, unknown> }>;
    }>('GET', `/__sim/users/${encodeURIComponent(victim.uid)}/records`);
    const record = records.find((r) => r.recordName === habitName(habitId));
    expect(record).toBeDefined();
    await sim('PUT', `/__sim/users/${encodeURIComponent(victim.uid)}/records`, {
      records: [
        {
          ...record,
          fields: {
            ...record?.fields,
            CD_name: { value: 'Changed behind our back', type: 'STRING' },
          },
        },
      ],
    });

    // The read answers Firestore's copy; its shadow comparison finds CloudKit's different.
    expect((await victim.call<{ name: string }>('habits-get', { id: habitId })).name).toBe(
      firestoreName,
    );
    await eventually(async () => ((await openInconsistencies()) > 0 ? true : undefined), {
      what: 'the shadow comparison to find the planted inconsistency',
    });
    const found = await adminDb().collection('ops/consistency/open').get();
    expect(found.docs.map((d) => d.data())).toEqual([
      expect.objectContaining({
        uid: victim.uid,
        recordName: habitName(habitId),
        fields: ['name'],
        foundBy: 'shadow',
      }),
    ]);
    // The continuous verification finds it too, and the gates hold the rollout where it is.
    const verified = await operator(['verify', '--continuous']);
    expect(verified.stdout).toMatch(/1 mismatch/);
    const blocked = await rolloutStatus();
    expect(failing(blocked)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^open inconsistencies: 1\b/)]),
    );
    expect((await consistencyReport()).verification).toMatchObject({ mismatches: 1 });
    const refused = await operator(['rollout', 'next']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/open inconsistencies: 1\b/);
    await functionsAt('backfill_rollout', 10);

    // Repair on: the next verification sends the record back through delivery, which makes
    // CloudKit equal to Firestore by the conflict rule; the one after finds them equal.
    expect((await operator(['flags', 'set', 'consistencyRepairEnabled=true'])).code).toBe(0);
    await operator(['verify', '--continuous']);
    await eventually(
      async () => ((await cloudKitName(victim.uid, habitId)) === firestoreName ? true : undefined),
      { what: 'the repair to reach CloudKit' },
    );
    await outboxDrained(victim.uid);
    await operator(['verify', '--continuous']);
    expect(await openInconsistencies()).toBe(0);
    expect(await consistencyReport()).toMatchObject({
      verification: { mismatches: 0, rate: 1, target: 0.9999, repaired: 1 },
      openInconsistencies: 0,
    });
    expect(failing(await rolloutStatus())).toEqual([]);

    // On to the end, each step with its gates passing and the users' traffic going on.
    await next('backfill_rollout', 50);
    await traffic(users, 'backfill_rollout 50 %');
    for (const user of users) await outboxDrained(user.uid);
    await next('live');
    await traffic(users, 'live');
    for (const user of users) await outboxDrained(user.uid);
    await next('rampdown');
    await traffic(users, 'rampdown');
    for (const user of users) await outboxDrained(user.uid);
    await next('complete');
    await traffic(users, 'complete');
    const last = await operator(['rollout', 'next']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('complete is the last stage');
    expect((await operator(['rollout', 'status'])).stdout).toContain('stage: complete');
  }, 900_000);
});
