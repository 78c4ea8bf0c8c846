import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboxEntry } from '../../../functions/src/data/outbox/outboxEntry';
import { legacyRecordName } from '../../../functions/src/data/legacy/legacyRecords';
import type { StageInForce } from '../../../functions/src/domain/rolloutStages';
import type { RolloutReport } from '../../../functions/src/migration/rollout/rolloutReport';
import { adminDb } from '../support/admin';
import { resetFlags } from '../support/backfill';
import { deleteAllClients, signedInAdmin } from '../support/client';
import { ops, ROOT } from '../support/opsCli';

/** The template the emulated functions read in tests (scripts/emulators.mjs, fastFlags). */
const TEMPLATE = join(ROOT, '.cache', 'flags', 'remote-config.template.json');
const template = () => readFileSync(TEMPLATE, 'utf8');

// A CloudKit refusal: `failed outbox entries` cannot pass while it is there. Never 'pending':
// the running functions would deliver it at once.
const uid = `rollout-${randomUUID()}`;
const habitId = randomUUID();
const refused: OutboxEntry = {
  recordName: legacyRecordName('habit', habitId),
  kind: 'habit',
  id: habitId,
  status: 'failed',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  attempts: 3,
  lastError: { code: 'rejected', message: 'CloudKit refused the record' },
};
const refusedRef = () => adminDb().doc(`users/${uid}/legacyOutbox/${refused.recordName}`);

/** The stage the running functions see, through admin-flags, once their 1 s flag cache ran out. */
async function stageSeenByFunctions(): Promise<StageInForce> {
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const admin = await signedInAdmin();
  return (await admin.call<{ stage: StageInForce }>('admin-flags', {})).stage;
}

beforeAll(async () => {
  await resetFlags();
  await refusedRef().set(refused);
});

afterAll(async () => {
  await refusedRef().delete();
  await resetFlags();
  await deleteAllClients();
});

describe('ops rollout', () => {
  it('names the stage of the committed flags and each gate to leave it', async () => {
    const run = await ops(['rollout', 'status']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^stage: dual_write — writes reach both stores/m);
    expect(run.stdout).toContain('next: backfill_rollout 10 %; back: off');
    expect(run.stdout).toMatch(/gates to leave dual_write, telemetry from \S+ to \S+:/);
    expect(run.stdout).toMatch(/^ {2}FAIL {2}failed outbox entries\s+[1-9]\d* failed \(= 0\)$/m);
    expect(run.stdout).toMatch(
      /^ {2}(PASS|FAIL|N\/A) {1,2}\s*primary write success\s+.+ \(> 99 %\)$/m,
    );
    expect(run.stdout).toMatch(/failing: `rollout next` refuses \(--force overrides\)/);

    const json = await ops([
      'rollout',
      'status',
      '--json',
      '--since',
      new Date(Date.now() - 3_600_000).toISOString(),
    ]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as RolloutReport;
    expect(report.stage).toEqual({ name: 'dual_write', percentage: 0, paused: [] });
    expect(report.gates.find((gate) => gate.name === 'failed outbox entries')).toMatchObject({
      status: 'fail',
      target: '= 0',
    });
  });

  it('refuses to move on while a gate fails, naming it with its figure, and publishes nothing', async () => {
    const before = template();
    const run = await ops(['rollout', 'next']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not moving from dual_write to backfill_rollout 10 %');
    expect(run.stderr).toMatch(/^ {2}failed outbox entries: [1-9]\d* failed \(= 0\)$/m);
    expect(run.stderr).toContain('nothing published');
    expect(template()).toBe(before);
    expect(await stageSeenByFunctions()).toMatchObject({ name: 'dual_write' });
  });

  it('moves on with --force, saying which gates it overrode, and the functions follow; back returns', async () => {
    const forced = await ops(['rollout', 'next', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^overriding \d+ failing gates:$/m);
    expect(forced.stdout).toMatch(/^ {2}FAIL {2}failed outbox entries/m);
    expect(forced.stdout).toMatch(/^published template version \d+: backfill_rollout 10 % — /m);
    expect(forced.stderr).toContain('"event":"rolloutGatesOverridden"');
    expect(JSON.parse(template()).version.description).toMatch(
      /^ops rollout next: dual_write -> backfill_rollout 10 % \(forced past: .*failed outbox entries/,
    );
    expect(await stageSeenByFunctions()).toEqual({
      name: 'backfill_rollout',
      percentage: 10,
      paused: [],
    });
    expect((await ops(['rollout', 'status'])).stdout).toMatch(/^stage: backfill_rollout 10 %/m);

    const back = await ops(['rollout', 'back']);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/^published template version \d+: dual_write — /m);
    expect(await stageSeenByFunctions()).toEqual({ name: 'dual_write', percentage: 0, paused: [] });
  });

  it('flips an emergency switch with flags set, and the stage shows it paused', async () => {
    const paused = await ops(['flags', 'set', 'legacyCatchUpEnabled=false', '--reason', 'test']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toContain('stage: dual_write (paused: catch-up)');
    expect(await stageSeenByFunctions()).toEqual({
      name: 'dual_write',
      percentage: 0,
      paused: ['catch-up'],
    });
    const shown = await ops(['flags']);
    expect(shown.stdout).toMatch(/^stage: dual_write \(paused: catch-up\)/m);
    expect(shown.stdout).toMatch(/legacyCatchUpEnabled\s+false\s+\(remote\)/);
    expect((await ops(['flags', 'set', 'legacyCatchUpEnabled=on'])).code).toBe(0);
    expect(await stageSeenByFunctions()).toEqual({ name: 'dual_write', percentage: 0, paused: [] });
  });

  it.each([
    [['flags', 'set', 'backfillRolloutPercentage=150'], /backfillRolloutPercentage=150/],
    [
      ['flags', 'set', 'dualWriteEnabled=false', 'legacyReadFallbackEnabled=maybe'],
      /legacyReadFallbackEnabled=maybe/,
    ],
    [['flags', 'set', 'noSuchFlag=true'], /noSuchFlag is not a flag/],
    [['flags', 'set', 'dualWriteEnabled'], /expected name=value/],
    [['rollout', 'status', '--since', 'yesterday'], /expected an ISO time/],
  ])('refuses %j with exit code 2 and changes nothing', async (args, message) => {
    const before = template();
    const run = await ops(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(template()).toBe(before);
  });

  it('shows the stage in ops status', async () => {
    const run = await ops(['status']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^stage: dual_write/m);
  });

  it('answers admin-rollout with the stage and its gates', async () => {
    const admin = await signedInAdmin();
    const answer = await admin.call<RolloutReport>('admin-rollout', {});
    expect(answer.stage).toEqual({ name: 'dual_write', percentage: 0, paused: [] });
    expect(answer.next).toEqual({ name: 'backfill_rollout', percentage: 10 });
    expect(answer.gates.map((gate) => gate.name)).toContain('failed outbox entries');
  });
});
