import { afterCatchUpPage, catchUpFailed } from '../../../functions/src/domain/catchUp';
import {
  afterBatch,
  afterFailure,
  awaitingLink,
  completed,
  paused,
  planBatchStart,
  planQueue,
  type RunClock,
} from '../../../functions/src/domain/migrationRun';
import {
  addCounters,
  DURATION_BUCKET_BOUNDS_MS,
  durationBucket,
  statsContribution,
  statsDelta,
  statsFromCounters,
  type StatsCounters,
} from '../../../functions/src/domain/migrationStats';
import {
  emptyCounts,
  type MigrationState,
  NOT_STARTED,
} from '../../../functions/src/domain/migrationState';

const T0 = new Date('2026-03-18T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const clockAt = (ms: number): RunClock => ({ now: at(ms), leaseMs: 60_000 });
const MINUTE = 60_000;

/** As MigrationStateStore writes it: marked as the real run, or as a dry run. */
const stored = (state: MigrationState, dryRun = false): MigrationState => ({ ...state, dryRun });

function queue(state: MigrationState, force = false, ms = 0): MigrationState {
  const planned = planQueue(state, { force, newRunId: () => 'run-1' }, clockAt(ms));
  if (planned.kind !== 'queue') throw new Error(`expected queue, got ${planned.kind}`);
  return stored(planned.state, state.dryRun ?? false);
}

function start(state: MigrationState, ms: number): MigrationState {
  const planned = planBatchStart(state, { runId: 'run-1', batch: state.batches ?? 0 }, 'w', {
    now: at(ms),
    leaseMs: 60_000,
  });
  if (planned.kind !== 'start') throw new Error(`expected start, got ${planned.kind}`);
  return stored(planned.state, state.dryRun ?? false);
}

const page = (last: boolean, completions: number) => ({
  cursor: `c-${completions}`,
  moreComing: !last,
  counts: { ...emptyCounts(), completions, habits: 1 },
  readAt: at(0),
});

/** A user's run from queueing to completion, one state per committed write. */
function aRun(durationMs: number, dryRun = false): MigrationState[] {
  const states: MigrationState[] = [];
  let s = queue(stored(NOT_STARTED, dryRun));
  states.push(s);
  s = start(s, 1_000);
  states.push(s);
  s = stored(afterBatch(s, page(true, 30), at(2_000)), dryRun);
  states.push(s);
  s = stored(completed(s, at(1_000 + durationMs)), dryRun);
  states.push(s);
  return states;
}

/** Sums the deltas of every consecutive pair, from no document at all. */
function replay(states: MigrationState[]): StatsCounters {
  let totals: StatsCounters = {};
  let before: MigrationState | undefined;
  for (const after of states) {
    totals = addCounters(totals, statsDelta(before, after));
    before = after;
  }
  return Object.fromEntries(Object.entries(totals).filter(([, n]) => n !== 0));
}

describe('statsDelta: what one state change adds to the migration counters', () => {
  it('queueing a new user counts one queued user and nothing else', () => {
    expect(statsDelta(undefined, queue(stored(NOT_STARTED)))).toEqual({ 'users.queued': 1 });
    // The store hands NOT_STARTED for a missing document: the same answer.
    expect(statsDelta(NOT_STARTED, queue(stored(NOT_STARTED)))).toEqual({ 'users.queued': 1 });
  });

  it('queued -> running moves the user between statuses', () => {
    const queued = queue(stored(NOT_STARTED));
    expect(statsDelta(queued, start(queued, 1_000))).toEqual({
      'users.queued': -1,
      'users.running': 1,
    });
  });

  it('a committed page adds its records, and the status stays', () => {
    const running = start(queue(stored(NOT_STARTED)), 1_000);
    const next = stored(afterBatch(running, page(false, 200), at(2_000)));
    expect(statsDelta(running, next)).toEqual({
      'records.completions': 200,
      'records.habits': 1,
    });
  });

  it('completion counts the run, its duration bucket and a followed user', () => {
    const [, , lastPage, done] = aRun(5 * MINUTE);
    const duration = 5 * MINUTE;
    expect(statsDelta(lastPage, done)).toEqual({
      'users.running': -1,
      'users.completed': 1,
      'runs.completed': 1,
      'runs.durationMs': duration,
      [`durations.le${DURATION_BUCKET_BOUNDS_MS[durationBucket(duration)]}`]: 1,
      'catchUp.following': 1,
    });
  });

  it('a forced re-run of a completed user takes back its run, records and following', () => {
    const done = aRun(5 * MINUTE).at(-1)!;
    const rerun = queue(done, true, 10 * MINUTE);
    const delta = statsDelta(done, rerun);
    expect(delta).toMatchObject({
      'users.completed': -1,
      'users.queued': 1,
      'records.completions': -30,
      'records.habits': -1,
      'runs.completed': -1,
      'runs.durationMs': -5 * MINUTE,
      'catchUp.following': -1,
    });
    // Counted once again only when the re-run completes.
    expect(replay([...aRun(5 * MINUTE), rerun])).toEqual({ 'users.queued': 1 });
  });

  it('failed -> queued (resumed) -> running, and a retried failure that stays running', () => {
    const running = start(queue(stored(NOT_STARTED)), 1_000);
    const retried = stored(afterFailure(running, { code: 'x', message: 'm' }, true, at(2_000)));
    expect(statsDelta(running, retried)).toEqual({});
    const failed = stored(afterFailure(retried, { code: 'x', message: 'm' }, false, at(3_000)));
    expect(statsDelta(retried, failed)).toEqual({ 'users.running': -1, 'users.failed': 1 });
    const resumed = queue(failed, false, 4_000);
    expect(statsDelta(failed, resumed)).toEqual({ 'users.failed': -1, 'users.queued': 1 });
    expect(statsDelta(resumed, start(resumed, 5_000))).toEqual({
      'users.queued': -1,
      'users.running': 1,
    });
  });

  it('parking for a link, and pausing, move the status only', () => {
    const running = start(queue(stored(NOT_STARTED)), 1_000);
    expect(statsDelta(running, stored(awaitingLink(running, at(2_000))))).toEqual({
      'users.running': -1,
      'users.awaiting_link': 1,
    });
    expect(statsDelta(running, stored(paused(running, at(2_000))))).toEqual({
      'users.running': -1,
      'users.queued': 1,
    });
  });

  it('a catch-up page adds its changes, and losing the token moves the user to awaitingLink', () => {
    const done = aRun(MINUTE).at(-1)!;
    const caughtUp = stored(
      afterCatchUpPage(
        done,
        {
          cursor: 'c-2',
          moreComing: false,
          readAt: at(2 * MINUTE),
          counts: { ...emptyCounts(), habits: 2, skipped: 3, quarantined: 1 },
          echoes: 3,
          oldestChangeMs: undefined,
          habits: [],
        },
        at(2 * MINUTE),
      ),
    );
    expect(statsDelta(done, caughtUp)).toEqual({
      'catchUp.changes': 6,
      'catchUp.echoes': 3,
      'catchUp.skipped': 3,
      'catchUp.quarantined': 1,
    });
    const unlinked = stored(
      catchUpFailed(caughtUp, { code: 'a', message: 'm', permanent: true }, at(3 * MINUTE)),
    );
    expect(statsDelta(caughtUp, unlinked)).toEqual({
      'catchUp.following': -1,
      'catchUp.changes': -6,
      'catchUp.echoes': -3,
      'catchUp.skipped': -3,
      'catchUp.quarantined': -1,
      'catchUp.awaitingLink': 1,
    });
  });

  it('a duplicate of a transition already applied changes nothing', () => {
    const [, , lastPage, done] = aRun(MINUTE);
    expect(statsDelta(done, done)).toEqual({});
    expect(statsDelta(lastPage, lastPage)).toEqual({});
  });

  it('dry runs, and states written before the dry-run mark, are never counted', () => {
    expect(aRun(MINUTE, true).every((s) => Object.keys(statsContribution(s)).length === 0)).toBe(
      true,
    );
    expect(replay(aRun(MINUTE, true))).toEqual({});
    const unmarked: MigrationState = { status: 'completed', durationMs: 10 };
    expect(statsContribution(unmarked)).toEqual({});
  });

  it('the deltas of a whole run sum to what its final state contributes', () => {
    const states = aRun(3 * MINUTE);
    const final = Object.fromEntries(
      Object.entries(statsContribution(states.at(-1)!)).filter(([, n]) => n !== 0),
    );
    expect(replay(states)).toEqual(final);
  });
});

describe('statsFromCounters', () => {
  const overdue = { count: 2, atLeast: false, dueBefore: T0.toISOString() };

  it('average is exact and p95 is the upper bound of its bucket', () => {
    // 100 runs: 95 of 1 minute, 5 of 2 hours. The 95th (nearest rank) is a 1-minute run.
    const states = [
      ...Array.from({ length: 95 }, () => aRun(MINUTE).at(-1)!),
      ...Array.from({ length: 5 }, () => aRun(120 * MINUTE).at(-1)!),
    ];
    const totals = states.map(statsContribution).reduce(addCounters, {});
    const stats = statsFromCounters(totals, overdue);
    expect(stats.migrationTimeMs.completedRuns).toBe(100);
    expect(stats.migrationTimeMs.average).toBe(Math.round((95 * MINUTE + 5 * 120 * MINUTE) / 100));
    const bound = stats.migrationTimeMs.p95!;
    expect(bound).toBeGreaterThanOrEqual(MINUTE);
    expect(bound).toBeLessThan(MINUTE * 1.2);
    // One more slow run puts the 95th rank among the slow ones.
    const slower = statsFromCounters(
      addCounters(totals, statsContribution(aRun(120 * MINUTE).at(-1)!)),
      overdue,
    );
    expect(slower.migrationTimeMs.p95).toBeGreaterThanOrEqual(120 * MINUTE);
    expect(stats.usersByStatus).toEqual({ completed: 100 });
    expect(stats.recordsMigrated).toBe(100 * 31);
    expect(stats.catchUp).toMatchObject({ following: 100, overdue: 2, overdueAtLeast: false });
  });

  it('no completed run: no average and no p95', () => {
    expect(statsFromCounters({}, overdue).migrationTimeMs).toEqual({
      average: null,
      p95: null,
      completedRuns: 0,
    });
  });

  it('buckets are increasing, about 19% apart, and the last holds every longer run', () => {
    for (let i = 1; i < DURATION_BUCKET_BOUNDS_MS.length; i += 1) {
      const ratio = DURATION_BUCKET_BOUNDS_MS[i] / DURATION_BUCKET_BOUNDS_MS[i - 1];
      expect(ratio).toBeGreaterThan(1.15);
      expect(ratio).toBeLessThan(1.22);
    }
    expect(durationBucket(0)).toBe(0);
    expect(durationBucket(DURATION_BUCKET_BOUNDS_MS[3])).toBe(3);
    expect(durationBucket(DURATION_BUCKET_BOUNDS_MS[3] + 1)).toBe(4);
    expect(durationBucket(1e15)).toBe(DURATION_BUCKET_BOUNDS_MS.length - 1);
  });
});
