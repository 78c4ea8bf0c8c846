import { feedReadToEnd, startFollowing } from './catchUp';
import {
  addCounts,
  emptyCounts,
  MIGRATED_STATUSES,
  MIGRATION_SCHEMA_VERSION,
  type MigrationCounts,
  type MigrationState,
} from './migrationState';

/**
 * The life of one user's backfill run as pure transitions over the state document. The worker and
 * the queueing code only read, call one of these, and write the answer in a transaction: every
 * rule about leases, staleness and resumption lives here and is tested without Firebase.
 */

export interface RunClock {
  now: Date;
  /** How long a lease holds without renewal before another worker may take the run over. */
  leaseMs: number;
}

/** The batch task that continues a run: its id derives from these, so duplicates collapse. */
export interface BatchPointer {
  runId: string;
  batch: number;
  attempts: number;
}

export type QueueDecision =
  | { kind: 'already_completed'; state: MigrationState }
  /** A healthy run exists: hand its current batch to the queue again (the id de-duplicates). */
  | { kind: 'in_progress'; state: MigrationState; next: BatchPointer }
  /** Write `state`, then enqueue `next`. */
  | { kind: 'queue'; state: MigrationState; next: BatchPointer };

const PAUSED = 'backfill_disabled';

const iso = (at: Date) => at.toISOString();
const plus = (at: Date, ms: number) => new Date(at.getTime() + ms).toISOString();

function pointer(state: MigrationState): BatchPointer {
  return { runId: state.runId ?? '', batch: state.batches ?? 0, attempts: state.attempts ?? 0 };
}

function leaseActive(state: MigrationState, now: Date): boolean {
  return (
    !!state.leaseOwner && !!state.leaseExpiresAt && Date.parse(state.leaseExpiresAt) > now.getTime()
  );
}

/** Nothing has moved for a lease period: the task that should drive the run is gone. */
function stalled(state: MigrationState, { now, leaseMs }: RunClock): boolean {
  if (leaseActive(state, now)) return false;
  const last = Date.parse(state.updatedAt ?? state.queuedAt ?? '');
  return Number.isNaN(last) || now.getTime() - last >= leaseMs;
}

/**
 * What a request to migrate a user (a Pub/Sub message, `migration-start`, a fallback read,
 * `legacy-link`) does to their state. Repeating a request is harmless: a healthy run is left alone,
 * a finished one stays finished unless `force`, and a stuck or parked one resumes from its cursor.
 */
export function planQueue(
  current: MigrationState,
  options: { force: boolean; newRunId: () => string },
  clock: RunClock,
): QueueDecision {
  const { status } = current;
  const fresh = status === 'not_started' || !current.runId;
  if (MIGRATED_STATUSES.has(status) && !options.force) {
    return { kind: 'already_completed', state: current };
  }
  if (fresh || MIGRATED_STATUSES.has(status)) {
    const state: MigrationState = {
      status: 'queued',
      runId: options.newRunId(),
      cursor: null,
      batches: 0,
      streamEnded: false,
      counts: emptyCounts(),
      attempts: 0,
      lastError: null,
      queuedAt: iso(clock.now),
      startedAt: null,
      updatedAt: iso(clock.now),
      completedAt: null,
      durationMs: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      schemaVersion: MIGRATION_SCHEMA_VERSION,
    };
    return { kind: 'queue', state, next: pointer(state) };
  }
  const pausedByFlag = current.lastError?.code === PAUSED;
  if ((status === 'queued' || status === 'running') && !pausedByFlag && !stalled(current, clock)) {
    return { kind: 'in_progress', state: current, next: pointer(current) };
  }
  // Parked (awaiting_link, paused), failed, or stalled: resume the same run where its cursor stands. A
  // new attempt number gives the next task a new id, which the queue would otherwise refuse.
  const state: MigrationState = {
    ...current,
    status: 'queued',
    attempts: (current.attempts ?? 0) + 1,
    // Cleared so a resumed run no longer reads as paused; the next failure records its own.
    lastError: null,
    queuedAt: iso(clock.now),
    updatedAt: iso(clock.now),
    leaseOwner: null,
    leaseExpiresAt: null,
  };
  return { kind: 'queue', state, next: pointer(state) };
}

export type BatchStart =
  /** Not this run's current batch, or the run is over: a duplicate or late task, do nothing. */
  | { kind: 'stale' }
  /** This batch was committed but the next task may not have been enqueued: enqueue it again. */
  | { kind: 'committed'; next: BatchPointer }
  /** Another worker holds the lease: try again later (it may die, and its lease expire). */
  | { kind: 'lease_held'; until: string }
  | { kind: 'start'; state: MigrationState };

/** A worker's first step for a batch task: take the run's lease, or find why not to. */
export function planBatchStart(
  current: MigrationState,
  task: { runId: string; batch: number },
  owner: string,
  clock: RunClock,
): BatchStart {
  if (current.runId !== task.runId) return { kind: 'stale' };
  if (current.status !== 'queued' && current.status !== 'running') return { kind: 'stale' };
  const batches = current.batches ?? 0;
  // The task that last held the run, delivered again (its retry after a crash or a failed page,
  // or a duplicate): a task takes several pages, so the run may stand past its own batch. It
  // carries on from there; the commits' check on the batch number keeps each page counted once.
  const carriesOn = current.leaseOwner === owner && batches > task.batch;
  if (!carriesOn && batches === task.batch + 1 && !leaseActive(current, clock.now)) {
    return { kind: 'committed', next: pointer(current) };
  }
  if (batches !== task.batch && !carriesOn) return { kind: 'stale' };
  if (leaseActive(current, clock.now) && current.leaseOwner !== owner) {
    return { kind: 'lease_held', until: current.leaseExpiresAt ?? '' };
  }
  return {
    kind: 'start',
    state: {
      ...current,
      status: 'running',
      startedAt: current.startedAt ?? iso(clock.now),
      updatedAt: iso(clock.now),
      leaseOwner: owner,
      leaseExpiresAt: plus(clock.now, clock.leaseMs),
    },
  };
}

/**
 * What the next page may assume: only this run has written the user's data, up to the data
 * version it left. A run's first page assumes the user has no data at all (no data version yet);
 * its read of the data version confirms or refutes it.
 */
export function soleWriterOf(current: MigrationState): { dataVersion: number } | undefined {
  if (current.soleWriter) return current.soleWriter;
  const firstPage = (current.batches ?? 0) === 0 && !current.cursor && current.soleWriter !== null;
  return firstPage ? { dataVersion: 0 } : undefined;
}

/** Whether `owner` still holds the run at `batch`: checked again in the commit's transaction. */
export function holdsLease(
  current: MigrationState,
  task: { runId: string; batch: number },
  owner: string,
): boolean {
  return (
    current.runId === task.runId &&
    current.status === 'running' &&
    (current.batches ?? 0) === task.batch &&
    current.leaseOwner === owner
  );
}

/** Who holds the run after a commit: the worker taking the next page, until a lease period. */
export interface LeaseHold {
  owner: string;
  until: Date;
}

/**
 * A page committed: the cursor, counts and batch number advance together. The lease is freed, or
 * held on by a worker that takes the next page too (`hold`).
 */
export function afterBatch(
  current: MigrationState,
  page: {
    cursor: string;
    moreComing: boolean;
    counts: Partial<MigrationCounts>;
    /** When the page's read started: the last page's is where catch-ups take over. */
    readAt?: Date;
    /** Still the user's only writer after this page, at this data version (planPage). */
    soleWriter?: { dataVersion: number } | null;
  },
  now: Date,
  hold?: LeaseHold,
): MigrationState {
  const read = !page.moreComing && page.readAt ? feedReadToEnd(current, page.readAt) : current;
  return {
    ...read,
    cursor: page.cursor,
    ...(page.soleWriter !== undefined && { soleWriter: page.soleWriter }),
    batches: (current.batches ?? 0) + 1,
    streamEnded: !page.moreComing,
    counts: addCounts(current.counts ?? {}, page.counts),
    lastError: null,
    updatedAt: iso(now),
    leaseOwner: hold?.owner ?? null,
    leaseExpiresAt: hold ? iso(hold.until) : null,
  };
}

/**
 * The lease given up, its owner still named: anyone may take the run, and the same task delivered
 * again (Cloud Tasks' retry after the failure) carries on from where the run stands.
 */
export function handedBack(current: MigrationState, owner: string, now: Date): MigrationState {
  return { ...current, leaseOwner: owner, leaseExpiresAt: iso(now) };
}

export function completed(current: MigrationState, now: Date): MigrationState {
  const started = Date.parse(current.startedAt ?? current.queuedAt ?? iso(now));
  return {
    ...startFollowing(current),
    status: (current.counts?.quarantined ?? 0) > 0 ? 'completed_with_errors' : 'completed',
    completedAt: iso(now),
    durationMs: Math.max(0, now.getTime() - started),
    lastError: null,
    updatedAt: iso(now),
    leaseOwner: null,
    leaseExpiresAt: null,
  };
}

/**
 * A batch that did not commit. `retrying`: the task queue will run it again, so the run stays
 * `running` with the lease freed; otherwise the run ends as `failed` until it is queued again.
 */
export function afterFailure(
  current: MigrationState,
  error: { code: string; message: string },
  retrying: boolean,
  now: Date,
): MigrationState {
  return {
    ...current,
    status: retrying ? 'running' : 'failed',
    attempts: (current.attempts ?? 0) + 1,
    lastError: { ...error, at: iso(now) },
    updatedAt: iso(now),
    leaseOwner: null,
    leaseExpiresAt: null,
  };
}

/** The user has not linked CloudKit (or the token expired): park until `legacy-link`. */
export function awaitingLink(current: MigrationState, now: Date): MigrationState {
  return {
    ...current,
    status: 'awaiting_link',
    lastError: {
      code: 'awaiting_link',
      message: 'no valid CloudKit web auth token',
      at: iso(now),
    },
    updatedAt: iso(now),
    leaseOwner: null,
    leaseExpiresAt: null,
  };
}

/** `backfillEnabled` went off: the run waits, queued, until someone asks for it again. */
export function paused(current: MigrationState, now: Date): MigrationState {
  return {
    ...current,
    status: 'queued',
    lastError: { code: PAUSED, message: 'backfillEnabled is off', at: iso(now) },
    updatedAt: iso(now),
    leaseOwner: null,
    leaseExpiresAt: null,
  };
}
