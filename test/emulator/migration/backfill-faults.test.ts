import { flagDefaults } from '../../../functions/src/flags/flagDefaults';
import { randomUUID } from 'node:crypto';
import {
  ageRun,
  firstPageOnly,
  hangingLegacyStore,
  inProcessWorker,
  isFinished,
  migrationState,
  publishBackfill,
  resetFlags,
  setFlags,
  verify,
  waitForCompletion,
  waitForState,
  countedRecords,
  expectExactCopy,
} from '../support/backfill';
import {
  completionRecord,
  dayAfterStart,
  habitRecord,
  linkExisting,
  linkedLegacyUser,
  putLegacyRecords,
  type RawRecord,
  streakRecord,
  xpRecord,
} from '../support/legacyRecords';
import { sim } from '../support/simulator';

const PAGE = flagDefaults.backfillBatchSize;

afterEach(async () => {
  await sim('DELETE', '/__sim/faults');
});
afterAll(resetFlags);

/** A user whose data takes three pages of the default batch size (PAGE). */
function threePages(): RawRecord[] {
  const habits = [randomUUID(), randomUUID()];
  return [
    ...habits.flatMap((id) => [habitRecord(id), streakRecord(id, 2)]),
    ...habits.flatMap((id) =>
      Array.from({ length: 230 }, (_, day) => completionRecord(id, dayAfterStart(day))),
    ),
    xpRecord('opening', 5_000),
  ];
}

async function userWithThreePages() {
  const uid = await linkedLegacyUser();
  const records = threePages();
  await putLegacyRecords(uid, records);
  return { uid, records };
}

describe('backfill under faults', () => {
  it('resumes from the last committed cursor after a worker is killed mid-batch', async () => {
    const { uid, records } = await userWithThreePages();
    // Batch 0 commits; the worker then dies before it can enqueue batch 1.
    const runId = await firstPageOnly(uid, 'w1');
    const task = { uid, runId, dryRun: false };
    // The next worker takes the lease for batch 1 and is killed while reading its page.
    void inProcessWorker(hangingLegacyStore()).job.run(
      { ...task, batch: 1 },
      { owner: 'w2', finalAttempt: false },
    );
    const stuck = await waitForState(uid, (s) => s?.leaseOwner === 'w2');
    expect(stuck).toMatchObject({ status: 'running', batches: 1 });
    const countedBeforeCrash = countedRecords(stuck);
    expect(countedBeforeCrash).toBe(PAGE);

    // Minutes later the lease has expired; an operator (or a retry) asks for the user again.
    await ageRun(uid, 5);
    await publishBackfill({ type: 'user', uid });
    const state = await waitForCompletion(uid);

    expect(state.status).toBe('completed');
    expect(state.runId).toBe(runId);
    expect(state.attempts).toBe(1);
    expect(state.batches).toBe(3);
    // Every record counted once: nothing from batch 0 was read or counted again.
    expect(countedRecords(state)).toBe(records.length);
    expectExactCopy(await verify(uid), records.length);
  });

  it('lets only one of two workers racing on the same batch commit it', async () => {
    const { uid, records } = await userWithThreePages();
    const a = inProcessWorker();
    const b = inProcessWorker();
    const { state: queued } = await a.queue(uid);
    const task = { uid, runId: queued.runId as string, batch: 0, dryRun: false };

    const outcomes = await Promise.all([
      a.job.run(task, { owner: 'a', finalAttempt: false }),
      b.job.run(task, { owner: 'b', finalAttempt: false }),
    ]);

    // One commits; the other found the lease taken, or the batch already done.
    expect(outcomes.filter((o) => o === 'committed')).toHaveLength(1);
    expect(['busy', 'stale', 'requeued']).toContain(outcomes.find((o) => o !== 'committed'));
    const afterRace = await migrationState(uid);
    expect(afterRace).toMatchObject({ batches: 1 });
    expect(countedRecords(afterRace)).toBe(PAGE);

    await publishBackfill({ type: 'user', uid });
    const state = await waitForCompletion(uid);
    expect(countedRecords(state)).toBe(records.length);
    expectExactCopy(await verify(uid), records.length);
  });

  it('survives a network interruption between batches, retried by the task queue', async () => {
    const { uid, records } = await userWithThreePages();
    await firstPageOnly(uid, 'w1');
    // More resets than the adapter's own retries: the batch task itself fails and is retried.
    await sim('POST', '/__sim/faults', {
      kind: 'reset',
      count: 6,
      pathContains: 'records/changes',
    });

    await ageRun(uid, 5);
    await publishBackfill({ type: 'user', uid });
    const failedOnce = await waitForState(uid, (s) => s?.lastError?.code !== undefined);
    expect(failedOnce.status).toBe('running');
    const state = await waitForCompletion(uid, { timeoutMs: 120_000 });

    expect(state.status).toBe('completed');
    expect(state.lastError).toBeNull();
    expect(state.attempts).toBeGreaterThanOrEqual(2);
    expect(countedRecords(state)).toBe(records.length);
    expectExactCopy(await verify(uid), records.length);
  }, 180_000);

  it('rides out CloudKit throttling, then timeouts, then recovers', async () => {
    await setFlags({ legacyTimeoutMs: '1000', legacyMaxRetries: '1' });
    const { uid, records } = await userWithThreePages();
    await sim('POST', '/__sim/faults', {
      kind: 'throttle',
      count: 4,
      retryAfter: 1,
      pathContains: 'records/changes',
    });
    await sim('POST', '/__sim/faults', {
      kind: 'delay',
      count: 4,
      delayMs: 3_000,
      pathContains: 'records/changes',
    });

    await publishBackfill({ type: 'user', uid });
    const errorsSeen = new Set<string>();
    const state = await waitForState(
      uid,
      (s) => {
        if (s?.lastError) errorsSeen.add(s.lastError.code);
        return isFinished(s);
      },
      { timeoutMs: 150_000 },
    );

    expect([...errorsSeen].sort()).toEqual(['THROTTLED', 'TIMEOUT']);
    expect(state.attempts).toBeGreaterThanOrEqual(2);
    expect(state.lastError).toBeNull();
    expect(state.status).toBe('completed');
    expect(countedRecords(state)).toBe(records.length);
    expectExactCopy(await verify(uid), records.length);
  }, 200_000);

  it('parks a user without a CloudKit link, and finishes once the app links', async () => {
    const uid = `unlinked-${randomUUID()}`;
    await sim('POST', '/__sim/users', { uid });
    const records = threePages();
    await putLegacyRecords(uid, records);

    await publishBackfill({ type: 'user', uid });
    const parked = await waitForState(uid, (s) => s?.status === 'awaiting_link');
    expect(parked.lastError?.code).toBe('awaiting_link');
    expect(parked.batches).toBe(0);

    await linkExisting(uid);
    await publishBackfill({ type: 'user', uid });
    const state = await waitForCompletion(uid);
    expect(state.status).toBe('completed');
    expectExactCopy(await verify(uid), records.length);
  });
});
