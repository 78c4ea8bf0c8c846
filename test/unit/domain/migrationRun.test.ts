import {
  afterBatch,
  afterFailure,
  awaitingLink,
  completed,
  handedBack,
  holdsLease,
  paused,
  planBatchStart,
  planQueue,
  type RunClock,
} from '../../../functions/src/domain/migrationRun';
import {
  MIGRATION_SCHEMA_VERSION,
  type MigrationCounts,
  type MigrationState,
  NOT_STARTED,
  addCounts,
  emptyCounts,
  migrationCountKeys,
  totalCount,
} from '../../../functions/src/domain/migrationState';

const NOW = new Date('2026-03-18T12:00:00.000Z');
const NOW_ISO = NOW.toISOString();
const LEASE_MS = 60_000;
const clock: RunClock = { now: NOW, leaseMs: LEASE_MS };
const MINUTE = 60_000;

/** The instant `ms` before NOW, as the state document stores it. */
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
/** The instant `ms` after NOW. */
const later = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

const counts = (partial: Partial<MigrationCounts>): MigrationCounts => ({
  ...emptyCounts(),
  ...partial,
});

/** A run three pages in, between batches (no lease), last touched a second ago. */
const running: MigrationState = {
  status: 'running',
  runId: 'run-1',
  cursor: 'cursor-3',
  batches: 3,
  streamEnded: false,
  counts: counts({ habits: 2, completions: 5, skipped: 1 }),
  attempts: 1,
  lastError: null,
  queuedAt: ago(10 * MINUTE),
  startedAt: ago(9 * MINUTE),
  updatedAt: ago(1000),
  completedAt: null,
  durationMs: null,
  leaseOwner: null,
  leaseExpiresAt: null,
  schemaVersion: MIGRATION_SCHEMA_VERSION,
};

/** `running` with a worker in the middle of a batch. */
const leased = (owner: string, expiresAt: string): MigrationState => ({
  ...running,
  leaseOwner: owner,
  leaseExpiresAt: expiresAt,
});

function newRunIds() {
  return jest.fn(() => 'run-new');
}

describe('planQueue: a user with no run to continue gets a brand-new one', () => {
  const freshRun: MigrationState = {
    status: 'queued',
    runId: 'run-new',
    cursor: null,
    batches: 0,
    streamEnded: false,
    counts: emptyCounts(),
    attempts: 0,
    lastError: null,
    queuedAt: NOW_ISO,
    startedAt: null,
    updatedAt: NOW_ISO,
    completedAt: null,
    durationMs: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    schemaVersion: MIGRATION_SCHEMA_VERSION,
  };

  it.each<{ name: string; current: MigrationState; force: boolean }>([
    { name: 'never migrated', current: NOT_STARTED, force: false },
    { name: 'never migrated, forced', current: NOT_STARTED, force: true },
    {
      name: 'a state with no run id',
      current: { status: 'queued', cursor: 'x', batches: 4 },
      force: false,
    },
    {
      name: 'completed, forced',
      current: completed({ ...running, streamEnded: true }, NOW),
      force: true,
    },
    {
      name: 'completed with errors, forced',
      current: completed({ ...running, counts: counts({ quarantined: 3 }) }, NOW),
      force: true,
    },
  ])('$name: queued from the start under a fresh run id', ({ current, force }) => {
    const newRunId = newRunIds();

    const decision = planQueue(current, { force, newRunId }, clock);

    expect(decision).toEqual({
      kind: 'queue',
      state: freshRun,
      next: { runId: 'run-new', batch: 0, attempts: 0 },
    });
    expect(newRunId).toHaveBeenCalledTimes(1);
  });
});

describe('planQueue: a finished run stays finished unless forced', () => {
  it.each([
    { name: 'completed', current: completed(running, NOW) },
    {
      name: 'completed with errors',
      current: completed({ ...running, counts: counts({ quarantined: 1 }) }, NOW),
    },
  ])('$name, not forced: already completed and untouched', ({ current }) => {
    const newRunId = newRunIds();

    const decision = planQueue(current, { force: false, newRunId }, clock);

    expect(decision).toEqual({ kind: 'already_completed', state: current });
    expect(decision.state).toBe(current);
    expect(newRunId).not.toHaveBeenCalled();
  });
});

describe('planQueue: a healthy run is left alone', () => {
  it.each<{ name: string; current: MigrationState; force?: boolean }>([
    { name: 'queued a moment ago', current: { ...running, status: 'queued', batches: 0 } },
    { name: 'running, touched a second ago', current: running },
    {
      name: 'running, touched just under a lease period ago',
      current: { ...running, updatedAt: ago(LEASE_MS - 1) },
    },
    {
      name: 'running, not touched for long but a worker holds the lease',
      current: { ...leased('worker-a', later(1000)), updatedAt: ago(10 * MINUTE) },
    },
    {
      name: 'queued without updatedAt, queued a moment ago',
      current: { ...running, status: 'queued', updatedAt: undefined, queuedAt: ago(1000) },
    },
    { name: 'running, even when forced', current: running, force: true },
  ])('$name: in progress, its current batch handed out again', ({ current, force = false }) => {
    const newRunId = newRunIds();

    const decision = planQueue(current, { force, newRunId }, clock);

    expect(decision).toEqual({
      kind: 'in_progress',
      state: current,
      next: { runId: current.runId, batch: current.batches, attempts: current.attempts },
    });
    expect(decision.state).toBe(current);
    expect(newRunId).not.toHaveBeenCalled();
  });
});

describe('planQueue: a stalled, parked or failed run resumes from its cursor', () => {
  it.each<{ name: string; current: MigrationState }>([
    {
      name: 'running, untouched for exactly a lease period',
      current: { ...running, updatedAt: ago(LEASE_MS) },
    },
    {
      name: 'running, untouched for ten minutes',
      current: { ...running, updatedAt: ago(10 * MINUTE) },
    },
    {
      name: 'running, its worker gone and its lease expired',
      current: { ...leased('worker-a', ago(1)), updatedAt: ago(10 * MINUTE) },
    },
    {
      name: 'queued long ago, never touched since',
      current: { ...running, status: 'queued', updatedAt: undefined, queuedAt: ago(LEASE_MS) },
    },
    {
      name: 'queued with no timestamps at all',
      current: { ...running, status: 'queued', updatedAt: undefined, queuedAt: undefined },
    },
    { name: 'awaiting a CloudKit link', current: awaitingLink(running, new Date(ago(1000))) },
    {
      name: 'failed a moment ago',
      current: afterFailure(running, { code: 'x', message: 'y' }, false, new Date(ago(1000))),
    },
    { name: 'paused by the flag a moment ago', current: paused(running, new Date(ago(1000))) },
  ])('$name: queued again, same run, next attempt', ({ current }) => {
    const newRunId = newRunIds();

    const decision = planQueue(current, { force: false, newRunId }, clock);

    const attempts = (current.attempts ?? 0) + 1;
    expect(decision).toEqual({
      kind: 'queue',
      state: {
        ...current,
        status: 'queued',
        attempts,
        lastError: null,
        queuedAt: NOW_ISO,
        updatedAt: NOW_ISO,
        leaseOwner: null,
        leaseExpiresAt: null,
      },
      next: { runId: 'run-1', batch: 3, attempts },
    });
    if (decision.kind !== 'queue') throw new Error('unreachable');
    expect(decision.state).toMatchObject({
      runId: current.runId,
      cursor: current.cursor,
      batches: current.batches,
      counts: current.counts,
    });
    expect(newRunId).not.toHaveBeenCalled();
  });

  it('counts the first resumption of a state without attempts as attempt 1', () => {
    const current: MigrationState = { status: 'failed', runId: 'run-1', batches: 2 };

    const decision = planQueue(current, { force: false, newRunId: newRunIds() }, clock);

    expect(decision.kind).toBe('queue');
    expect(decision.state.attempts).toBe(1);
    if (decision.kind === 'queue')
      expect(decision.next).toEqual({ runId: 'run-1', batch: 2, attempts: 1 });
  });

  // A resumed run must stop reading as paused, or every further request (a fallback read asks on
  // every read) would queue it again and take the lease from the worker running it.
  it('asking again right after resuming a paused run leaves it in progress', () => {
    const resumed = planQueue(
      paused(running, new Date(ago(MINUTE))),
      { force: false, newRunId: newRunIds() },
      clock,
    );

    const again = planQueue(resumed.state, { force: false, newRunId: newRunIds() }, clock);

    expect(again.kind).toBe('in_progress');
  });

  it('asking again while a worker runs the resumed batch keeps its lease', () => {
    const resumed = planQueue(
      paused(running, new Date(ago(MINUTE))),
      { force: false, newRunId: newRunIds() },
      clock,
    );
    const task = { runId: 'run-1', batch: 3 };
    const start = planBatchStart(resumed.state, task, 'worker-a', clock);
    if (start.kind !== 'start') throw new Error(`expected start, got ${start.kind}`);

    const again = planQueue(start.state, { force: false, newRunId: newRunIds() }, clock);

    expect(again.kind).toBe('in_progress');
    expect(holdsLease(again.state, task, 'worker-a')).toBe(true);
  });
});

describe('planBatchStart: a task that is not the current batch does nothing', () => {
  const task = { runId: 'run-1', batch: 3 };

  it.each<{ name: string; current: MigrationState; task?: { runId: string; batch: number } }>([
    { name: 'another run', current: { ...running, runId: 'run-0' } },
    { name: 'no run at all', current: NOT_STARTED },
    { name: 'a run not started', current: { ...running, status: 'not_started' } },
    { name: 'a run awaiting a link', current: { ...running, status: 'awaiting_link' } },
    { name: 'a failed run', current: { ...running, status: 'failed' } },
    { name: 'a completed run', current: { ...running, status: 'completed' } },
    {
      name: 'a run completed with errors',
      current: { ...running, status: 'completed_with_errors' },
    },
    { name: 'a batch from the future', current: running, task: { runId: 'run-1', batch: 4 } },
    { name: 'a batch committed long ago', current: running, task: { runId: 'run-1', batch: 1 } },
    {
      name: 'the batch before one another worker is running',
      current: leased('worker-b', later(MINUTE)),
      task: { runId: 'run-1', batch: 2 },
    },
  ])('$name: stale', ({ current, task: given = task }) => {
    expect(planBatchStart(current, given, 'worker-a', clock)).toEqual({ kind: 'stale' });
  });
});

describe('planBatchStart: a batch that committed hands out the next one again', () => {
  it.each<{ name: string; current: MigrationState }>([
    { name: 'between batches', current: running },
    { name: 'an expired lease on the next batch', current: leased('worker-b', ago(1)) },
    { name: 'a lease expiring right now', current: leased('worker-b', NOW_ISO) },
  ])('$name: committed, re-enqueue the next batch', ({ current }) => {
    expect(planBatchStart(current, { runId: 'run-1', batch: 2 }, 'worker-a', clock)).toEqual({
      kind: 'committed',
      next: { runId: 'run-1', batch: 3, attempts: 1 },
    });
  });
});

describe('planBatchStart: the lease', () => {
  const task = { runId: 'run-1', batch: 3 };

  it("waits while another worker's lease holds", () => {
    const until = later(30_000);

    expect(planBatchStart(leased('worker-b', until), task, 'worker-a', clock)).toEqual({
      kind: 'lease_held',
      until,
    });
  });

  it.each<{ name: string; current: MigrationState }>([
    { name: 'a run between batches', current: running },
    { name: 'a queued run', current: { ...running, status: 'queued' } },
    { name: "another worker's expired lease", current: leased('worker-b', ago(1)) },
    { name: 'a lease that expires right now', current: leased('worker-b', NOW_ISO) },
    { name: 'its own unexpired lease (a retry)', current: leased('worker-a', later(30_000)) },
    {
      name: 'an owner with no expiry',
      current: { ...running, leaseOwner: 'worker-b', leaseExpiresAt: null },
    },
  ])('takes over $name: running, leased to this worker for a lease period', ({ current }) => {
    expect(planBatchStart(current, task, 'worker-a', clock)).toEqual({
      kind: 'start',
      state: {
        ...current,
        status: 'running',
        startedAt: running.startedAt,
        updatedAt: NOW_ISO,
        leaseOwner: 'worker-a',
        leaseExpiresAt: later(LEASE_MS),
      },
    });
  });

  it.each([
    { name: 'null', startedAt: null },
    { name: 'missing', startedAt: undefined },
  ])('sets startedAt on the first start when it is $name', ({ startedAt }) => {
    const queued: MigrationState = { ...running, status: 'queued', batches: 0, startedAt };

    const start = planBatchStart(queued, { runId: 'run-1', batch: 0 }, 'worker-a', clock);

    expect(start).toMatchObject({ kind: 'start', state: { startedAt: NOW_ISO } });
  });

  it('treats a state without batches as batch 0', () => {
    const current: MigrationState = { status: 'queued', runId: 'run-1' };

    expect(planBatchStart(current, { runId: 'run-1', batch: 0 }, 'w', clock).kind).toBe('start');
    expect(planBatchStart(current, { runId: 'run-1', batch: 1 }, 'w', clock).kind).toBe('stale');
  });
});

describe('planBatchStart: a task that moved past its own batch, delivered again, carries on', () => {
  // The run stands at batch 3; the task was batch 1 and took pages 1 and 2 before it died,
  // failed, or was delivered twice.
  const task = { runId: 'run-1', batch: 1 };

  it.each<{ name: string; current: MigrationState }>([
    { name: 'its lease still held (killed mid-page)', current: leased('worker-a', later(MINUTE)) },
    { name: 'its lease run out (killed long ago)', current: leased('worker-a', ago(MINUTE)) },
    {
      name: 'the run handed back (failed, or died before enqueueing)',
      current: leased('worker-a', NOW_ISO),
    },
  ])('$name: starts at the run’s batch, leased to it again', ({ current }) => {
    expect(planBatchStart(current, task, 'worker-a', clock)).toEqual({
      kind: 'start',
      state: { ...current, updatedAt: NOW_ISO, leaseExpiresAt: later(LEASE_MS) },
    });
  });

  it.each<{ name: string; current: MigrationState; expected: string }>([
    {
      name: 'another worker holds it',
      current: leased('worker-b', later(MINUTE)),
      expected: 'stale',
    },
    {
      name: 'another worker handed it back',
      current: leased('worker-b', NOW_ISO),
      expected: 'stale',
    },
    { name: 'nobody holds it', current: running, expected: 'stale' },
    {
      name: 'its own lease on another run',
      current: { ...leased('worker-a', later(MINUTE)), runId: 'run-2' },
      expected: 'stale',
    },
    {
      name: 'its own lease on a completed run',
      current: { ...leased('worker-a', later(MINUTE)), status: 'completed' },
      expected: 'stale',
    },
  ])('$name: $expected', ({ current, expected }) => {
    expect(planBatchStart(current, task, 'worker-a', clock).kind).toBe(expected);
  });

  it('a task from the future is stale even if its owner held the run', () => {
    const current = leased('worker-a', later(MINUTE));
    expect(planBatchStart(current, { runId: 'run-1', batch: 5 }, 'worker-a', clock).kind).toBe(
      'stale',
    );
  });
});

describe('handedBack', () => {
  it('names the owner with a lease that has run out: free to take, its retry carries on', () => {
    const back = handedBack(running, 'worker-a', NOW);

    expect(back).toEqual({ ...running, leaseOwner: 'worker-a', leaseExpiresAt: NOW_ISO });
    expect(planBatchStart(back, { runId: 'run-1', batch: 3 }, 'worker-b', clock).kind).toBe(
      'start',
    );
    expect(planBatchStart(back, { runId: 'run-1', batch: 1 }, 'worker-a', clock).kind).toBe(
      'start',
    );
  });
});

describe('holdsLease', () => {
  const task = { runId: 'run-1', batch: 3 };
  const held = leased('worker-a', later(MINUTE));

  it.each<{ name: string; current: MigrationState; expected: boolean }>([
    { name: 'its own running batch', current: held, expected: true },
    // The commit checks ownership, not expiry: nobody else has taken it over yet.
    { name: 'its own lease, expired', current: leased('worker-a', ago(1)), expected: true },
    { name: 'another run', current: { ...held, runId: 'run-2' }, expected: false },
    { name: 'a queued run', current: { ...held, status: 'queued' }, expected: false },
    { name: 'a completed run', current: { ...held, status: 'completed' }, expected: false },
    { name: 'a later batch', current: { ...held, batches: 4 }, expected: false },
    { name: "another worker's lease", current: leased('worker-b', later(MINUTE)), expected: false },
    { name: 'a freed lease', current: running, expected: false },
  ])('$name: $expected', ({ current, expected }) => {
    expect(holdsLease(current, task, 'worker-a')).toBe(expected);
  });
});

describe('afterBatch', () => {
  const inBatch: MigrationState = {
    ...leased('worker-a', later(MINUTE)),
    lastError: { code: 'throttled', message: 'retry', at: ago(MINUTE) },
  };

  it.each([
    { moreComing: true, streamEnded: false },
    { moreComing: false, streamEnded: true },
  ])(
    'advances cursor, batch and counts together and frees the lease (moreComing $moreComing)',
    ({ moreComing, streamEnded }) => {
      const next = afterBatch(
        inBatch,
        { cursor: 'cursor-4', moreComing, counts: { habits: 1, completions: 10, quarantined: 2 } },
        NOW,
      );

      expect(next).toEqual({
        ...inBatch,
        cursor: 'cursor-4',
        batches: 4,
        streamEnded,
        counts: counts({ habits: 3, completions: 15, skipped: 1, quarantined: 2 }),
        lastError: null,
        updatedAt: NOW_ISO,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
    },
  );

  it('keeps the lease with the worker that takes the next page too, renewed', () => {
    const next = afterBatch(
      leased('worker-a', later(1000)),
      { cursor: 'cursor-4', moreComing: true, counts: {} },
      NOW,
      { owner: 'worker-a', until: new Date(NOW.getTime() + LEASE_MS) },
    );

    expect(next).toMatchObject({
      batches: 4,
      leaseOwner: 'worker-a',
      leaseExpiresAt: later(LEASE_MS),
    });
    expect(holdsLease(next, { runId: 'run-1', batch: 4 }, 'worker-a')).toBe(true);
  });

  it('starts counting from nothing on a state without counts or batches', () => {
    const next = afterBatch(
      { status: 'running', runId: 'run-1' },
      { cursor: 'c1', moreComing: true, counts: { xp: 4 } },
      NOW,
    );

    expect(next).toMatchObject({ batches: 1, counts: counts({ xp: 4 }) });
  });

  /** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it.each([1, 2, 3, 42, 2026])(
    'counts after many pages are the sum of the pages (seed %i)',
    (seed) => {
      const next = random(seed);
      const length = 1 + Math.floor(next() * 30);
      const pages = Array.from({ length }, (_, i) => ({
        cursor: `cursor-${i + 1}`,
        moreComing: i < length - 1,
        // Some keys left out, as a page reports only what it saw.
        counts: Object.fromEntries(
          migrationCountKeys
            .filter(() => next() < 0.6)
            .map((key) => [key, Math.floor(next() * 200)]),
        ) as Partial<MigrationCounts>,
      }));
      const start: MigrationState = { ...running, batches: 0, cursor: null, counts: emptyCounts() };

      const end = pages.reduce((state, page) => afterBatch(state, page, NOW), start);

      const expected = pages.reduce<MigrationCounts>(
        (sum, page) => addCounts(sum, page.counts),
        emptyCounts(),
      );
      expect(end.counts).toEqual(expected);
      expect(totalCount(end.counts ?? {})).toBe(
        pages.reduce((sum, page) => sum + totalCount(page.counts), 0),
      );
      expect(end.batches).toBe(pages.length);
      expect(end.cursor).toBe(pages[pages.length - 1].cursor);
      expect(end.streamEnded).toBe(true);
    },
  );
});

describe('completed', () => {
  const inBatch = { ...leased('worker-a', later(MINUTE)), streamEnded: true };

  it.each<{ name: string; state: MigrationState; status: string }>([
    { name: 'nothing quarantined', state: inBatch, status: 'completed' },
    { name: 'no counts at all', state: { ...inBatch, counts: undefined }, status: 'completed' },
    {
      name: 'some records quarantined',
      state: { ...inBatch, counts: counts({ habits: 5, quarantined: 1 }) },
      status: 'completed_with_errors',
    },
  ])('$name: $status, timed from its start, the lease freed', ({ state, status }) => {
    expect(completed(state, NOW)).toEqual({
      ...state,
      // From now on the schedule follows the user's CloudKit change feed.
      catchUp: { following: true },
      status,
      completedAt: NOW_ISO,
      durationMs: 9 * MINUTE,
      updatedAt: NOW_ISO,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
  });

  it.each([
    { name: 'from startedAt', startedAt: ago(5000), queuedAt: ago(9000), durationMs: 5000 },
    {
      name: 'from queuedAt without startedAt',
      startedAt: null,
      queuedAt: ago(9000),
      durationMs: 9000,
    },
    { name: 'as 0 without either', startedAt: null, queuedAt: null, durationMs: 0 },
    { name: 'never negative', startedAt: later(5000), queuedAt: null, durationMs: 0 },
  ])('measures the duration $name', ({ startedAt, queuedAt, durationMs }) => {
    expect(completed({ ...running, startedAt, queuedAt }, NOW).durationMs).toBe(durationMs);
  });
});

describe('afterFailure', () => {
  const inBatch = leased('worker-a', later(MINUTE));
  const error = { code: 'unavailable', message: 'CloudKit is down' };

  it.each([
    { retrying: true, status: 'running' },
    { retrying: false, status: 'failed' },
  ])('retrying $retrying: $status, with the error and the lease freed', ({ retrying, status }) => {
    expect(afterFailure(inBatch, error, retrying, NOW)).toEqual({
      ...inBatch,
      status,
      attempts: 2,
      lastError: { ...error, at: NOW_ISO },
      updatedAt: NOW_ISO,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
  });

  it('counts the first failure of a state without attempts as attempt 1', () => {
    expect(afterFailure({ status: 'running' }, error, true, NOW).attempts).toBe(1);
  });
});

describe('awaitingLink and paused park the run where it stands', () => {
  const inBatch = leased('worker-a', later(MINUTE));

  it('awaitingLink: awaiting_link, with the reason and the lease freed', () => {
    expect(awaitingLink(inBatch, NOW)).toEqual({
      ...inBatch,
      status: 'awaiting_link',
      lastError: {
        code: 'awaiting_link',
        message: 'no valid CloudKit web auth token',
        at: NOW_ISO,
      },
      updatedAt: NOW_ISO,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
  });

  it('paused: queued, marked backfill_disabled, with the lease freed', () => {
    expect(paused(inBatch, NOW)).toEqual({
      ...inBatch,
      status: 'queued',
      lastError: { code: 'backfill_disabled', message: 'backfillEnabled is off', at: NOW_ISO },
      updatedAt: NOW_ISO,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
  });
});

describe('a run from request to completion', () => {
  it('queues, takes each batch once, ignores duplicates and completes', () => {
    const queuedDecision = planQueue(NOT_STARTED, { force: false, newRunId: () => 'r' }, clock);
    if (queuedDecision.kind !== 'queue') throw new Error('expected queue');
    let state = queuedDecision.state;
    const pages = [
      { cursor: 'c1', moreComing: true, counts: { habits: 2 } },
      { cursor: 'c2', moreComing: false, counts: { completions: 3, quarantined: 1 } },
    ];

    for (const [batch, page] of pages.entries()) {
      const task = { runId: 'r', batch };
      const start = planBatchStart(state, task, 'w', clock);
      if (start.kind !== 'start') throw new Error(`batch ${batch}: ${start.kind}`);
      expect(planBatchStart(start.state, task, 'other', clock).kind).toBe('lease_held');
      expect(holdsLease(start.state, task, 'w')).toBe(true);
      state = afterBatch(start.state, page, NOW);
      // A redelivered task for the batch just committed re-enqueues the next one.
      expect(planBatchStart(state, task, 'w', clock)).toEqual({
        kind: 'committed',
        next: { runId: 'r', batch: batch + 1, attempts: 0 },
      });
      expect(planQueue(state, { force: false, newRunId: () => 'x' }, clock).kind).toBe(
        'in_progress',
      );
    }

    expect(state.streamEnded).toBe(true);
    const done = completed(state, NOW);
    expect(done).toMatchObject({
      status: 'completed_with_errors',
      batches: 2,
      counts: counts({ habits: 2, completions: 3, quarantined: 1 }),
    });
    expect(planBatchStart(done, { runId: 'r', batch: 2 }, 'w', clock)).toEqual({ kind: 'stale' });
    expect(planQueue(done, { force: false, newRunId: () => 'x' }, clock).kind).toBe(
      'already_completed',
    );
  });
});
