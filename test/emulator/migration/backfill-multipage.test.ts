import { createHash, randomUUID } from 'node:crypto';
import { LegacyUnavailableError } from '../../../functions/src/data/legacy/legacyErrors';
import type { LegacyStore } from '../../../functions/src/data/legacy/legacyStore';
import type { BatchPointer } from '../../../functions/src/domain/migrationRun';
import type { BackfillTasks } from '../../../functions/src/migration/backfillTasks';
import {
  countedRecords,
  expectExactCopy,
  inProcessWorker,
  migrationState,
  testLegacyStore,
  verify,
  waitForState,
} from '../support/backfill';
import { AdversarialScheduler } from '../support/convergence/scheduler';
import { Random } from '../support/convergence/random';
import {
  completionRecord,
  dayAfterStart,
  habitRecord,
  linkedLegacyUser,
  putLegacyRecords,
  type RawRecord,
  streakRecord,
  xpRecord,
} from '../support/legacyRecords';
import { flagDefaults } from '../../../functions/src/flags/flagDefaults';
import { FirestoreHabitRepository } from '../../../functions/src/data/firestore/firestoreHabitRepository';
import { adminDb, docData } from '../support/admin';

/**
 * A backfill task takes pages until its time budget runs out (backfillJob.ts). These scenarios
 * attack what that adds: a task killed or failing after it moved past its own batch, a task that
 * dies between its last commit and its continuation, and Cloud Tasks' duplicate, reordered and
 * overlapping deliveries of such tasks. Firestore and the simulator are the real ones.
 */

const PAGE = flagDefaults.backfillBatchSize;
const LONG_BUDGET = 60_000;

/** A user whose data takes `pages` pages of the default batch size, the last one partial. */
async function userOfPages(pages: number): Promise<{ uid: string; records: RawRecord[] }> {
  const uid = await linkedLegacyUser();
  const habit = randomUUID();
  const records: RawRecord[] = [
    habitRecord(habit),
    streakRecord(habit, 2),
    xpRecord('opening', 500),
    ...Array.from({ length: PAGE * (pages - 1) }, (_, day) =>
      completionRecord(habit, dayAfterStart(day)),
    ),
  ];
  await putLegacyRecords(uid, records);
  return { uid, records };
}

/** The simulator's change feed, with `after` standing in for what happens from the nth read on. */
function legacyWith(
  after: (
    nth: number,
    read: () => ReturnType<LegacyStore['readChanges']>,
  ) => ReturnType<LegacyStore['readChanges']>,
): LegacyStore {
  const store = testLegacyStore();
  let reads = 0;
  return {
    listUsers: (token, limit) => store.listUsers(token, limit),
    lookup: (uid, names) => store.lookup(uid, names),
    write: (uid, writes) => store.write(uid, writes),
    readChanges: (uid, cursor, limit) => {
      reads += 1;
      return after(reads, () => store.readChanges(uid, cursor, limit));
    },
  };
}

/** Records what the job enqueues, as Cloud Tasks would hold it. */
function recordingTasks(): BackfillTasks & { batches: BatchPointer[] } {
  const batches: BatchPointer[] = [];
  return {
    batches,
    enqueueBatch: async (_uid, _dryRun, next) => void batches.push(next),
    enqueueFanOut: async () => undefined,
  };
}

/** The simulator's change feed, with `change` made once page 1 has committed, before page 2 does. */
function afterFirstPage(uid: string, change: () => Promise<void>): LegacyStore {
  return legacyWith(async (nth, read) => {
    if (nth === 2) {
      await waitForState(uid, (s) => (s?.batches ?? 0) === 1);
      await change();
    }
    return read();
  });
}

/** One task of the run with time for every page, as Cloud Tasks' first delivery of batch 0. */
const firstTaskOfRun = (uid: string, runId: string, legacy: LegacyStore) =>
  inProcessWorker(legacy, { taskBudgetMs: LONG_BUDGET }).job.run(
    { uid, runId, batch: 0, dryRun: false },
    { owner: 'task-0', finalAttempt: false },
  );

async function queuedRun(uid: string): Promise<string> {
  const { state } = await inProcessWorker().queue(uid);
  return state.runId as string;
}

describe('a backfill task of several pages', () => {
  it('takes page after page under one lease, each committed with its cursor, and completes', async () => {
    const { uid, records } = await userOfPages(3);
    const tasks = recordingTasks();
    const runId = await queuedRun(uid);

    const outcome = await inProcessWorker(testLegacyStore(), {
      tasks,
      taskBudgetMs: LONG_BUDGET,
    }).job.run({ uid, runId, batch: 0, dryRun: false }, { owner: 'task-0', finalAttempt: false });

    expect(outcome).toBe('completed');
    // No continuation: the whole run fit the task's budget.
    expect(tasks.batches).toEqual([]);
    const state = await migrationState(uid);
    expect(state).toMatchObject({ status: 'completed', batches: 3, leaseOwner: null });
    expect(countedRecords(state)).toBe(records.length);
    expectExactCopy(await verify(uid), records.length);
  });

  it('with no budget left takes one page, hands the run back and enqueues its continuation', async () => {
    const { uid } = await userOfPages(3);
    const tasks = recordingTasks();
    const runId = await queuedRun(uid);

    const outcome = await inProcessWorker(testLegacyStore(), { tasks, taskBudgetMs: 0 }).job.run(
      { uid, runId, batch: 0, dryRun: false },
      { owner: 'task-0', finalAttempt: false },
    );

    expect(outcome).toBe('committed');
    expect(tasks.batches).toEqual([{ runId, batch: 1, attempts: 0 }]);
    const state = await migrationState(uid);
    expect(state).toMatchObject({ status: 'running', batches: 1, leaseOwner: 'task-0' });
    // Handed back: the lease has run out, so the continuation takes the run at once.
    expect(Date.parse(state?.leaseExpiresAt ?? '')).toBeLessThanOrEqual(Date.now());
  });

  it('killed after two pages: its retry carries on from the last commit, counting each record once', async () => {
    const { uid, records } = await userOfPages(5);
    const runId = await queuedRun(uid);
    const task = { uid, runId, batch: 0, dryRun: false };
    // The third read never answers: the worker is as good as killed, its lease still held.
    const dying = legacyWith((nth, read) => (nth <= 2 ? read() : new Promise(() => {})));
    void inProcessWorker(dying, { taskBudgetMs: LONG_BUDGET }).job.run(task, {
      owner: 'task-0',
      finalAttempt: false,
    });
    const stuck = await waitForState(uid, (s) => (s?.batches ?? 0) === 2);
    expect(stuck).toMatchObject({ status: 'running', leaseOwner: 'task-0' });
    expect(countedRecords(stuck)).toBe(2 * PAGE);

    // Another task (a duplicate of an older batch, another name) leaves the held run alone.
    const other = await inProcessWorker(testLegacyStore(), { taskBudgetMs: LONG_BUDGET }).job.run(
      { ...task, batch: 2 },
      { owner: 'someone-else', finalAttempt: false },
    );
    expect(other).toBe('busy');

    // Cloud Tasks retries the same task (same name, so the same owner), batch 0 and all.
    const retried = await inProcessWorker(testLegacyStore(), { taskBudgetMs: LONG_BUDGET }).job.run(
      task,
      { owner: 'task-0', finalAttempt: false },
    );

    expect(retried).toBe('completed');
    const state = await migrationState(uid);
    expect(state).toMatchObject({ status: 'completed', batches: 5, attempts: 0 });
    expect(countedRecords(state)).toBe(records.length);
    expectExactCopy(await verify(uid), records.length);
  });

  it('a page failing after the task moved on: the retry carries on there, with no extra task', async () => {
    const { uid, records } = await userOfPages(4);
    const runId = await queuedRun(uid);
    const task = { uid, runId, batch: 0, dryRun: false };
    const tasks = recordingTasks();
    const throttledThird = legacyWith((nth, read) =>
      nth === 3 ? Promise.reject(new LegacyUnavailableError('throttled', 'THROTTLED', 1)) : read(),
    );
    const worker = inProcessWorker(throttledThird, { tasks, taskBudgetMs: LONG_BUDGET });

    await expect(worker.job.run(task, { owner: 'task-0', finalAttempt: false })).rejects.toThrow(
      'throttled',
    );
    const failed = await migrationState(uid);
    expect(failed).toMatchObject({ status: 'running', batches: 2, leaseOwner: 'task-0' });
    expect(failed?.lastError?.code).toBe('THROTTLED');

    // The retry of the failed task (Cloud Tasks' backoff and attempt count kept) finishes the run.
    expect(await worker.job.run(task, { owner: 'task-0', finalAttempt: false })).toBe('completed');
    expect(tasks.batches).toEqual([]);
    const state = await migrationState(uid);
    expect(state).toMatchObject({ status: 'completed', batches: 4, lastError: null });
    expect(countedRecords(state)).toBe(records.length);
    expectExactCopy(await verify(uid), records.length);
  });

  it('dying between its last commit and the enqueue: its retry takes the run on', async () => {
    const { uid, records } = await userOfPages(3);
    const runId = await queuedRun(uid);
    const task = { uid, runId, batch: 0, dryRun: false };
    let enqueueFails = true;
    const flakyTasks: BackfillTasks = {
      enqueueBatch: async () => {
        if (enqueueFails) throw new Error('Cloud Tasks unavailable');
      },
      enqueueFanOut: async () => undefined,
    };
    const oneAtATime = inProcessWorker(testLegacyStore(), { tasks: flakyTasks, taskBudgetMs: 0 });

    await expect(
      oneAtATime.job.run(task, { owner: 'task-0', finalAttempt: false }),
    ).rejects.toThrow('Cloud Tasks unavailable');
    expect(await migrationState(uid)).toMatchObject({ batches: 1, leaseOwner: 'task-0' });

    // Its retry is batch 0 again; the run stands at batch 1. It carries on rather than stall.
    enqueueFails = false;
    const retry = inProcessWorker(testLegacyStore(), { taskBudgetMs: LONG_BUDGET });
    expect(await retry.job.run(task, { owner: 'task-0', finalAttempt: false })).toBe('completed');
    const state = await migrationState(uid);
    expect(state).toMatchObject({ status: 'completed', batches: 3 });
    expect(countedRecords(state)).toBe(records.length);
  });

  it('skips reads only while it is the user’s only writer: a habit the API deleted meanwhile stays deleted', async () => {
    const { uid, records } = await userOfPages(3);
    const runId = await queuedRun(uid);
    const task = { uid, runId, dryRun: false };
    const onePage = inProcessWorker(testLegacyStore(), { taskBudgetMs: 0 });
    await onePage.job.run({ ...task, batch: 0 }, { owner: 'task-0', finalAttempt: false });
    // Nothing but this run has written the user's data: the next page need not read tombstones.
    expect((await migrationState(uid))?.soleWriter).toEqual({ dataVersion: 1 });

    // The app deletes the habit through the API before the pages holding most of its days.
    const habitId = records[0].recordName.replace('CD_Habit_', '');
    await new FirestoreHabitRepository(adminDb()).deleteHabit(uid, habitId);

    const rest = inProcessWorker(testLegacyStore(), { taskBudgetMs: LONG_BUDGET });
    expect(
      await rest.job.run({ ...task, batch: 1 }, { owner: 'task-1', finalAttempt: false }),
    ).toBe('completed');
    const state = await migrationState(uid);
    expect(state?.soleWriter).toBeNull();
    expect(countedRecords(state)).toBe(records.length);
    // The later pages read the habit's tombstone: none of their days came back.
    const lastDay = dayAfterStart(2 * PAGE - 1);
    expect(await docData(`users/${uid}/completions/${habitId}_${lastDay}`)).toBeUndefined();
    expect(state?.counts?.skipped).toBe(2 * PAGE - (PAGE - 3));
  });

  it('plans a page from the state its last commit left, but a run taken over meanwhile writes nothing more', async () => {
    const { uid, records } = await userOfPages(3);
    const runId = await queuedRun(uid);
    // Once page 1 has committed, another worker takes the run over (its lease ran out) before
    // page 2 commits: the state page 2 was planned from is no longer the stored one.
    const takenOver = afterFirstPage(uid, async () => {
      await adminDb().doc(`users/${uid}/meta/migration`).update({ leaseOwner: 'task-9' });
    });

    const outcome = await firstTaskOfRun(uid, runId, takenOver);

    expect(outcome).toBe('lost_lease');
    const state = await migrationState(uid);
    expect(state).toMatchObject({ status: 'running', batches: 1, leaseOwner: 'task-9' });
    expect(countedRecords(state)).toBe(PAGE);
    const habitId = records[0].recordName.replace('CD_Habit_', '');
    const pageTwoDay = dayAfterStart(PAGE + 10);
    expect(await docData(`users/${uid}/completions/${habitId}_${pageTwoDay}`)).toBeUndefined();
  });

  it('plans a page again from the state it read when that state would plan it differently', async () => {
    const { uid, records } = await userOfPages(3);
    const runId = await queuedRun(uid);
    const habitId = records[0].recordName.replace('CD_Habit_', '');
    // After page 1, the run stops being the only writer in its state (soleWriter null) while the
    // data version stays where page 1 left it, and a tombstone newer than every day appears: only
    // a page planned from the stored state reads it. One planned from the state page 1 left would
    // take the habit's tombstone as absent and bring its days back.
    const notSole = afterFirstPage(uid, async () => {
      const version = (await docData(`users/${uid}/meta/sync`))?.version;
      await new FirestoreHabitRepository(adminDb()).deleteHabit(uid, habitId);
      await adminDb().doc(`users/${uid}/meta/sync`).update({ version });
      await adminDb().doc(`users/${uid}/meta/migration`).update({ soleWriter: null });
    });

    const outcome = await firstTaskOfRun(uid, runId, notSole);

    expect(outcome).toBe('completed');
    const state = await migrationState(uid);
    expect(countedRecords(state)).toBe(records.length);
    const pageTwoDay = dayAfterStart(PAGE + 10);
    expect(await docData(`users/${uid}/completions/${habitId}_${pageTwoDay}`)).toBeUndefined();
    expect(state?.counts?.skipped).toBe(2 * PAGE - (PAGE - 3));
  });

  it('streaks kept up page by page equal a recount of every day, whatever the schedule or order', async () => {
    const uid = await linkedLegacyUser();
    const random = new Random(7);
    const field = (value: string | number) =>
      typeof value === 'number' ? { value, type: 'INT64' } : { value, type: 'STRING' };
    const habitWith = (id: string, fields: Record<string, string | number>): RawRecord => {
      const record = habitRecord(id);
      const extra = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, field(v)]));
      return { ...record, fields: { ...record.fields, ...extra } };
    };
    /** A day `n` days before today (UTC, the user's zone by default): current runs show. */
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const [daily, weekly, perWeek, lateHabit, noDays] = ids;
    const habits: RawRecord[] = [
      habitRecord(daily),
      habitWith(weekly, {
        CD_scheduleType: 'weekly',
        CD_scheduleDays: '1,3,5',
        CD_targetPerDay: 2,
      }),
      habitWith(perWeek, { CD_scheduleType: 'timesPerWeek', CD_timesPerWeek: 3 }),
      habitRecord(noDays),
    ];
    const days: RawRecord[] = [];
    for (const id of [daily, weekly, perWeek, lateHabit]) {
      for (let n = 0; n < 300; n += 1) {
        // Runs broken by gaps, and for the weekly target of 2 some days that fall short.
        if (random.chance(0.8)) {
          days.push(completionRecord(id, daysAgo(n), { count: 1 + random.below(3) }));
        }
      }
    }
    for (let i = days.length - 1; i > 0; i -= 1) {
      const j = random.below(i + 1);
      [days[i], days[j]] = [days[j], days[i]];
    }
    const records: RawRecord[] = [
      ...habits,
      streakRecord(daily, 40),
      streakRecord(noDays, 7),
      ...days,
      // The old app changed this habit after logging its days: its record comes after them.
      habitRecord(lateHabit, { version: 2 }),
    ];
    await putLegacyRecords(uid, records);
    const runId = await queuedRun(uid);

    const worker = inProcessWorker(testLegacyStore(), { taskBudgetMs: LONG_BUDGET });
    expect(
      await worker.job.run(
        { uid, runId, batch: 0, dryRun: false },
        { owner: 't', finalAttempt: false },
      ),
    ).toBe('completed');
    expect((await migrationState(uid))?.soleWriter).not.toBeNull();

    const figures = async (id: string) => {
      const data = await docData(`users/${uid}/streaks/${id}`);
      return {
        current: data?.current,
        longest: data?.longest,
        lastCompletedDate: data?.lastCompletedDate,
        summary: data?.summary,
      };
    };
    const repository = new FirestoreHabitRepository(adminDb());
    for (const id of ids) {
      const kept = await figures(id);
      await repository.recountStreak(uid, id);
      expect({ id, ...kept }).toEqual({ id, ...(await figures(id)) });
    }
    expect((await figures(daily)).current).toBeGreaterThan(0);
  });

  it.each([11, 29, 47])(
    'duplicated, reordered and overlapping deliveries still count every record once (seed %i)',
    async (seed) => {
      const { uid, records } = await userOfPages(6);
      const random = new Random(seed);
      const scheduler = new AdversarialScheduler(random, {
        duplicateChance: 0.4,
        maxConcurrency: 4,
        maxAttempts: 30,
      });
      const flaky = legacyWith((_nth, read) =>
        random.chance(0.15)
          ? Promise.reject(new LegacyUnavailableError('try again', 'TRY_AGAIN_LATER', 1))
          : read(),
      );
      let running = false;
      const tasks: BackfillTasks = {
        async enqueueBatch(_uid, dryRun, next) {
          // A worker's enqueue may fail (its task is retried); the operator's is seen to succeed.
          if (running && random.chance(0.1)) throw new Error('Cloud Tasks unavailable');
          const name = createHash('sha256')
            .update(JSON.stringify([uid, next]))
            .digest('hex');
          // Some executions take one page, some several: a short budget or none.
          const worker = inProcessWorker(flaky, {
            tasks,
            taskBudgetMs: random.chance(0.5) ? 0 : random.below(400),
          });
          scheduler.enqueue({
            name,
            label: `backfill(batch ${next.batch}, attempt ${next.attempts})`,
            run: (execution) =>
              worker.job.run(
                { uid, runId: next.runId, batch: next.batch, dryRun },
                { owner: execution.name, finalAttempt: execution.finalAttempt },
              ),
          });
        },
        enqueueFanOut: async () => undefined,
      };
      // The operator's request, itself delivered twice.
      await inProcessWorker(flaky, { tasks }).queue(uid);
      await inProcessWorker(flaky, { tasks }).queue(uid);
      running = true;

      await scheduler.runToEmpty();

      const state = await migrationState(uid);
      expect({ status: state?.status, trace: scheduler.trace }).toMatchObject({
        status: 'completed',
      });
      expect(state?.batches).toBe(6);
      expect(countedRecords(state)).toBe(records.length);
      expectExactCopy(await verify(uid), records.length);
    },
  );
});
