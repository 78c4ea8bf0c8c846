import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackfillRequest } from '../../../functions/src/ops/backfillWait';
import { adminDb } from '../support/admin';
import { ops } from '../support/opsCli';
import {
  everyRecordType,
  habitRecord,
  linkedLegacyUser,
  putLegacyRecords,
} from '../support/legacyRecords';

// Each spawned CLI keeps its note of the last backfill here, not in the checkout's .cache/ops.
beforeAll(() => {
  process.env.OPS_CACHE_DIR = mkdtempSync(join(tmpdir(), 'ops-cache-'));
});

async function legacyUserWithData(): Promise<string> {
  const uid = await linkedLegacyUser();
  await putLegacyRecords(uid, everyRecordType(randomUUID()));
  return uid;
}

describe('the ops command line', () => {
  it('explains itself with --help', async () => {
    const run = await ops(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['backfill', 'catchup', 'status', 'verify', 'flags', 'rollout']) {
      expect(run.stdout).toContain(command);
    }
  });

  it.each([
    [['backfill'], /exactly one of --uid, --uids-file and --all/],
    [['backfill', '--uid', 'a', '--all'], /exactly one of/],
    [['backfill', '--uid', 'a/b'], /uid: must not contain "\/"/],
    [['backfill', '--uids-file', '/nonexistent/uids.txt'], /cannot read/],
    [['status', '--interval', '-1'], /--interval.*above 0/s],
    [['verify'], /exactly one of --uid and --sample/],
    [['verify', '--sample', 'two'], /--sample.*number/s],
    [['launch'], /unknown command/],
    [['catchup'], /exactly one of --uid, --uids-file and --all/],
    [['status', '--caught-up-before', 'yesterday'], /expected an ISO time/],
    [['catchup', '--uid', 'a', '--force'], /unknown option '--force'/],
    [['catchup', '--uid', 'a/b'], /uid: must not contain "\/"/],
  ])('refuses %j with exit code 2 and says why', async (args, message) => {
    const run = await ops(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('backfills a user, watches the run finish, and verifies it record for record', async () => {
    const uid = await legacyUserWithData();

    const published = await ops(['backfill', '--uid', uid]);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain(`"uid":"${uid}"`);

    const watched = await ops([
      'status',
      '--uid',
      uid,
      '--watch',
      '--interval',
      '0.5',
      '--timeout',
      '90',
    ]);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(
      new RegExp(`${uid}: completed, 1 batches \\(habits 1, completions 2, xp 2, streaks 1\\)`),
    );

    const verified = await ops(['verify', '--uid', uid]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('1 of 1 users match their legacy data');

    // Someone edits the migrated copy behind the backfill's back: verify names the record.
    const habit = (await adminDb().collection(`users/${uid}/habits`).get()).docs[0];
    await habit.ref.update({ name: 'Tampered' });
    const differing = await ops(['verify', '--uid', uid]);
    expect(differing.code).toBe(1);
    expect(differing.stdout).toContain(`CD_Habit_${habit.id}: fields differ: name`);
    await habit.ref.update({ name: habit.get('name') });
    expect((await ops(['verify', '--uid', uid])).code).toBe(0);
  }, 150_000);

  it('publishes users from a file, and the overall status shows them finished', async () => {
    const uids = [await legacyUserWithData(), await legacyUserWithData()];
    const file = join(mkdtempSync(join(tmpdir(), 'ops-')), 'uids.txt');
    writeFileSync(file, `# users to migrate\n${uids.join('\n')}\n\n`);

    const published = await ops(['backfill', '--uids-file', file]);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain('"type":"users"');

    const watched = await ops(['status', '--watch', '--interval', '1', '--timeout', '120']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('no runs queued or running');
    const json = await ops(['status', '--json']);
    const stats = JSON.parse(json.stdout) as { usersByStatus: Record<string, number> };
    expect(stats.usersByStatus.completed).toBeGreaterThanOrEqual(2);
    for (const uid of uids) {
      const one = JSON.parse((await ops(['status', '--uid', uid, '--json'])).stdout);
      expect(one).toMatchObject({ uid, status: 'completed' });
    }
    const sample = await ops(['verify', '--sample', '2']);
    expect(sample.stdout).toMatch(/2 of 2 users match/);
    expect(sample.code).toBe(0);
  }, 200_000);

  it('catches a migrated user up with what the old app wrote since, and shows it in status', async () => {
    const uid = await legacyUserWithData();
    expect((await ops(['backfill', '--uid', uid])).code).toBe(0);
    const args = ['status', '--uid', uid, '--watch', '--interval', '0.5', '--timeout', '90'];
    expect((await ops(args)).code).toBe(0);
    // Later, on a device still running the old app:
    await putLegacyRecords(uid, [habitRecord(randomUUID(), { name: 'Added on the iPad' })]);

    const published = await ops(['catchup', '--uid', uid]);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain(`"type":"catchup","uid":"${uid}"`);
    const deadline = Date.now() + 60_000;
    let state: { catchUp?: { counts?: Record<string, number> } } = {};
    while (Date.now() < deadline && state.catchUp?.counts === undefined) {
      state = JSON.parse((await ops(['status', '--uid', uid, '--json'])).stdout);
      if (state.catchUp?.counts === undefined) await new Promise((r) => setTimeout(r, 500));
    }
    expect(state.catchUp?.counts).toMatchObject({ habits: 1 });
    const shown = await ops(['status', '--uid', uid]);
    expect(shown.stdout).toMatch(
      /catch-up: following, caught up .* ago\), \d+ changes \(1 applied/,
    );
    const overall = await ops(['status']);
    expect(overall.stdout).toMatch(/catch-up: \d+ users followed, \d+ overdue/);
    // The cutover check: against a time after every catch-up, every followed user is overdue.
    const cutover = await ops(['status', '--caught-up-before', '2999-01-01T00:00:00Z']);
    expect(cutover.stdout).toMatch(
      /catch-up: (\d+) users followed, \1 overdue \(last caught up before 2999-01-01T00:00:00.000Z\)/,
    );
  }, 150_000);

  it('runs a dry run and shows its state apart', async () => {
    const uid = await legacyUserWithData();
    expect((await ops(['backfill', '--uid', uid, '--dry-run'])).code).toBe(0);
    const dry = await ops([
      'status',
      '--uid',
      uid,
      '--dry-run',
      '--watch',
      '--interval',
      '0.5',
      '--timeout',
      '60',
    ]);
    expect(dry.stdout).toContain(`${uid}: completed`);
    const real = await ops(['status', '--uid', uid]);
    expect(real.stdout).toContain(`${uid}: not_started`);
  }, 120_000);

  it('shows the flags in force for a user', async () => {
    const run = await ops(['flags', '--uid', 'someone', '--json']);
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({
      uid: 'someone',
      flags: { backfillBatchSize: 160, dualWriteEnabled: true },
      sources: { backfillBatchSize: 'remote' },
    });
    const table = await ops(['flags']);
    expect(table.stdout).toMatch(/backfillRolloutPercentage\s+0\s+\(remote\)/);
  });

  it('says which user it does not know, with exit code 4', async () => {
    const run = await ops(['status', '--uid', `nobody-${randomUUID()}`]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/unknown user nobody-/);
  });

  it('says when the emulators cannot be reached, with exit code 3', async () => {
    const run = await ops(['status'], { FIRESTORE_EMULATOR_HOST: '127.0.0.1:1' });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/cannot reach the firestore emulator at 127.0.0.1:1.*npm start/);
  });
});

describe('ops status --watch right after ops backfill', () => {
  const watch = ['status', '--watch', '--interval', '0.5', '--timeout', '120'];

  /** `users by status` as the summary prints it. */
  function usersByStatus(summary: string): Record<string, number> {
    const block = /users by status:\n((?: {2}\S+ +\d+\n)*)/.exec(summary)?.[1] ?? '';
    return Object.fromEntries(
      [...block.matchAll(/^ {2}(\S+) +(\d+)$/gm)].map(([, status, n]) => [status, Number(n)]),
    );
  }

  /** A fresh cache directory holding a note of a request that was never published. */
  function noted(request: Partial<BackfillRequest>): Record<string, string> {
    const dir = mkdtempSync(join(tmpdir(), 'ops-cache-'));
    const note: BackfillRequest = {
      projectId: 'demo-habits',
      requestedAt: new Date().toISOString(),
      messageIds: ['never-published'],
      uids: 'all',
      force: false,
      dryRun: false,
      ...request,
    };
    writeFileSync(join(dir, 'last-backfill.json'), JSON.stringify(note));
    return { OPS_CACHE_DIR: dir };
  }

  it('waits for the runs the backfill queues and ends with them finished', async () => {
    const before = JSON.parse((await ops(['status', '--json'])).stdout) as {
      usersByStatus: Record<string, number>;
    };
    const uids = [await legacyUserWithData(), await legacyUserWithData()];
    const file = join(mkdtempSync(join(tmpdir(), 'ops-')), 'uids.txt');
    writeFileSync(file, uids.join('\n'));

    expect((await ops(['backfill', '--uids-file', file])).code).toBe(0);
    const watched = await ops(watch);

    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('no runs queued or running');
    expect(watched.stdout).not.toMatch(/no run was queued/);
    const shown = usersByStatus(watched.stdout);
    expect(shown.completed).toBeGreaterThanOrEqual((before.usersByStatus.completed ?? 0) + 2);
    expect(shown.queued ?? 0).toBe(0);
    expect(shown.running ?? 0).toBe(0);
    for (const uid of uids) {
      const one = JSON.parse((await ops(['status', '--uid', uid, '--json'])).stdout);
      expect(one).toMatchObject({ uid, status: 'completed' });
    }
  }, 200_000);

  it('waits for a forced re-run of a completed user, not taking the earlier run for it', async () => {
    const uid = await legacyUserWithData();
    const one = [
      'status',
      '--uid',
      uid,
      '--watch',
      '--json',
      '--interval',
      '0.5',
      '--timeout',
      '90',
    ];
    expect((await ops(['backfill', '--uid', uid])).code).toBe(0);
    const first = JSON.parse((await ops(one)).stdout) as { status: string; runId: string };
    expect(first.status).toBe('completed');

    // A delivery late enough that the watch begins on the earlier run's state: the request is
    // noted as ops backfill notes it, and the message goes out once the watch is under way.
    const env = noted({ uids: [uid], force: true });
    const requestedAt = Date.now();
    const watching = ops(one, env);
    await new Promise((done) => setTimeout(done, 3_000));
    expect((await ops(['backfill', '--uid', uid, '--force'], env)).code).toBe(0);
    const watched = await watching;

    expect(watched.code).toBe(0);
    const rerun = JSON.parse(watched.stdout) as { status: string; runId: string; queuedAt: string };
    expect(rerun).toMatchObject({ uid, status: 'completed' });
    expect(rerun.runId).not.toBe(first.runId);
    expect(Date.parse(rerun.queuedAt)).toBeGreaterThanOrEqual(requestedAt);
  }, 150_000);

  it('without a recent request and nothing in flight, ends at once as it always did', async () => {
    for (const env of [
      { OPS_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ops-cache-')) },
      noted({ requestedAt: new Date(Date.now() - 10 * 60_000).toISOString() }),
    ]) {
      const started = Date.now();
      const watched = await ops([...watch, '--grace', '60'], env);
      expect(watched.code).toBe(0);
      expect(watched.stdout).not.toContain('waiting for');
      expect(watched.stdout).toContain('no runs queued or running');
      expect(Date.now() - started).toBeLessThan(30_000);
    }
  }, 90_000);

  it('gives a request that queues nothing its grace period, then says so', async () => {
    const watched = await ops([...watch, '--grace', '2'], noted({ uids: 'all', force: false }));
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(
      /waiting for the backfill requested at \d\d:\d\d:\d\d to queue its runs \(up to 2 s\)/,
    );
    expect(watched.stdout).toMatch(/no run was queued within 2 s of the backfill requested at/);
    expect(watched.stdout).toContain('backfillRolloutPercentage');
    expect(watched.stdout).toContain('no runs queued or running');
  }, 60_000);

  it('exits 1 when a user it named was not queued within the grace period', async () => {
    const uid = await linkedLegacyUser();
    const args = ['status', '--uid', uid, '--watch', '--interval', '0.5', '--grace', '1'];
    const watched = await ops(args, noted({ uids: [uid], force: true }));
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain(`${uid}: not_started`);
    expect(watched.stderr).toMatch(new RegExp(`no run of ${uid} was queued within 1 s`));
  }, 60_000);
});
