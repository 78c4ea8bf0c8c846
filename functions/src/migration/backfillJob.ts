import type { Firestore } from 'firebase-admin/firestore';
import { userPaths } from '../data/firestore/paths';
import { LegacyStoreError } from '../data/legacy/legacyErrors';
import {
  type AwaitingLink,
  isAwaitingLink,
  type LegacyChangePage,
  type LegacyStore,
} from '../data/legacy/legacyStore';
import type { BackfillTask } from '../domain/backfillMessages';
import {
  afterBatch,
  afterFailure,
  awaitingLink,
  type BatchPointer,
  type BatchStart,
  completed,
  handedBack,
  holdsLease,
  type LeaseHold,
  paused,
  planBatchStart,
  soleWriterOf,
} from '../domain/migrationRun';
import { deletionsSince } from '../domain/catchUp';
import { type MigrationCounts, type MigrationState, migratedCount } from '../domain/migrationState';
import type { Flags } from '../flags/flagDefaults';
import { logs } from '../logs';
import { runDuration } from '../telemetry/latencyHistogram';
import type { Telemetry } from '../telemetry/telemetryEvents';
import {
  type PageDocumentsRead,
  type PlanInputs,
  planPage,
  samePlanInputs,
} from './backfillBatchWriter';
import type { BackfillTasks } from './backfillTasks';
import { type MappedEntry, mapLegacyEntry } from '../data/legacy/mapping/legacyToFirestoreMapper';
import { isRefusedRequest } from '../data/firestore/firestoreErrors';
import { isolateUnwritable } from './unwritableRecords';
import { config } from '../config';
import type { MigrationStateStore } from './migrationStateStore';

/** A page's commit: what it counted, and the run's state after it (none for a partial commit). */
interface Committed {
  counts: MigrationCounts;
  state?: MigrationState;
}

export type BatchOutcome =
  | 'stale'
  | 'requeued'
  | 'paused'
  | 'committed'
  | 'completed'
  | 'awaiting_link'
  | 'failed'
  | 'lost_lease'
  /** Another task holds the run: it continues the run, or its retry does if it dies. */
  | 'busy';

export interface BackfillJobDependencies {
  db: Firestore;
  states: MigrationStateStore;
  legacy: LegacyStore;
  tasks: BackfillTasks;
  telemetry: Telemetry;
  flags: (uid: string) => Promise<Flags>;
  /**
   * The backfill's last step: every habit's streak from its migrated completions. `maintainedBy`:
   * the run stayed the user's only writer, and its pages kept the streaks up as they copied.
   */
  finishStreaks: (uid: string, maintainedBy?: string) => Promise<number>;
  leaseMs: number;
  /**
   * How long one task goes on taking pages under its lease before it hands the run to a
   * continuation task. 0 (or absent): one page per task.
   */
  taskBudgetMs?: number;
  clock?: () => Date;
}

/** A page read from CloudKit with its records mapped. */
interface MappedPage extends LegacyChangePage {
  mapped: MappedEntry[];
}

/**
 * A page's read, under way: `at` is when it started (the last page's is where catch-ups begin).
 * Its records are mapped as soon as they arrive, while the page before is still committing.
 */
interface PageRead {
  page: Promise<MappedPage | AwaitingLink>;
  at: Date;
}

/** Where a task stands after a page: finished with `outcome`, or on to the next page. */
type PageStep =
  | { kind: 'done'; outcome: BatchOutcome }
  | { kind: 'next'; task: BackfillTask; state: MigrationState; read?: PageRead };

/** Who runs this batch: a lease owner, and whether the task queue will try again on failure. */
export interface Execution {
  /**
   * The task's own name: a retry of a task that died holding the lease is the same owner and
   * takes the run straight back, while a duplicate task (another name) leaves it alone.
   */
  owner: string;
  finalAttempt: boolean;
}

/**
 * One task of a user's backfill: take the lease, then page after page read from the cursor and
 * write the page with the advanced cursor and counts in one commit, until the task's time budget
 * runs out; then enqueue the next task. The next page's read overlaps the current page's commit.
 * The state is the only memory between pages, so a task that dies anywhere is replaced by one that
 * continues from the last commit, and a duplicate or late task finds it is not the current batch
 * (or loses the commit's check on it) and does nothing.
 */
export class BackfillJob {
  private readonly clock: () => Date;

  constructor(private readonly deps: BackfillJobDependencies) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async run(task: BackfillTask, execution: Execution): Promise<BatchOutcome> {
    const { uid, dryRun } = task;
    const flags = await this.deps.flags(uid);
    const start = await this.deps.states.update<BatchStart | { kind: 'paused' }>(
      uid,
      dryRun,
      (state) => {
        const planned = planBatchStart(state, task, execution.owner, this.clockNow());
        if (planned.kind === 'start' && !flags.backfillEnabled) {
          const alreadyPaused = state.lastError?.code === 'backfill_disabled';
          return {
            write: alreadyPaused ? undefined : paused(state, this.clock()),
            result: { kind: 'paused' },
          };
        }
        return { write: planned.kind === 'start' ? planned.state : undefined, result: planned };
      },
    );

    switch (start.kind) {
      case 'stale':
        return this.done(task, 'stale');
      case 'paused':
        await this.transition(task, 'paused');
        return this.done(task, 'paused');
      case 'committed':
        await this.deps.tasks.enqueueBatch(uid, dryRun, start.next);
        return this.done(task, 'requeued');
      case 'lease_held':
        return this.done(task, 'busy');
    }
    const state = start.state;
    if (task.batch === 0 && state.startedAt === state.updatedAt) {
      await this.transition(task, 'started');
    }
    // A retry of a task that had moved on takes the run up where it stands (planBatchStart).
    return this.migratePages({ ...task, batch: state.batches ?? 0 }, execution, state, flags);
  }

  /** Pages until the budget runs out, the stream ends (then the last step), or the run is lost. */
  private async migratePages(
    first: BackfillTask,
    execution: Execution,
    firstState: MigrationState,
    firstFlags: Flags,
  ): Promise<BatchOutcome> {
    const deadline = Date.now() + (this.deps.taskBudgetMs ?? 0);
    let [task, state, flags] = [first, firstState, firstFlags];
    let read = state.streamEnded ? undefined : this.readPage(task, state.cursor ?? null, flags);
    for (;;) {
      if (state.streamEnded || !read) return this.complete(task, execution, state);
      const step = await this.migratePage(task, execution, flags, read, deadline, state);
      if (step.kind === 'done') return step.outcome;
      [task, state, read] = [step.task, step.state, step.read];
      flags = await this.deps.flags(task.uid);
    }
  }

  private readPage(task: BackfillTask, cursor: string | null, flags: Flags): PageRead {
    const at = this.clock();
    const page = this.deps.legacy
      .readChanges(task.uid, cursor, flags.backfillBatchSize)
      .then((read) =>
        isAwaitingLink(read) ? read : { ...read, mapped: read.entries.map(mapLegacyEntry) },
      );
    // Awaited later (after a commit): a failure meanwhile must not count as unhandled.
    page.catch(() => undefined);
    return { page, at };
  }

  private clockNow() {
    return { now: this.clock(), leaseMs: this.deps.leaseMs };
  }

  /**
   * One page: its read (started earlier), then its commit, during which the next page's read
   * starts if the task goes on. A task out of budget hands the run back with its last commit and
   * enqueues its continuation.
   */
  private async migratePage(
    task: BackfillTask,
    execution: Execution,
    flags: Flags,
    read: PageRead,
    deadline: number,
    state: MigrationState,
  ): Promise<PageStep> {
    const { uid, dryRun } = task;
    const dualWrite = flags.dualWriteEnabled && !flags.forceMigrationComplete;
    const started = Date.now();
    let page;
    try {
      page = await read.page;
    } catch (error) {
      return this.finished(await this.failed(task, execution, error));
    }
    if (isAwaitingLink(page)) {
      const parked = await this.whileHeld(task, execution, (s) => awaitingLink(s, this.clock()));
      if (parked) await this.transition(task, 'awaiting_link');
      return this.finished(this.done(task, parked ? 'awaiting_link' : 'lost_lease'));
    }

    // Going on is decided before the commit, so the commit holds the lease for the next page or
    // hands it back; a paused backfill hands it back, and its continuation pauses the run.
    const goesOn = Date.now() < deadline && flags.backfillEnabled;
    const next = goesOn && page.moreComing ? this.readPage(task, page.cursor, flags) : undefined;
    const now = this.clock();
    const hold: LeaseHold = {
      owner: execution.owner,
      until: goesOn ? new Date(now.getTime() + this.deps.leaseMs) : now,
    };
    const entries = page.mapped;
    const pageRead = {
      cursor: page.cursor,
      moreComing: page.moreComing,
      readAt: read.at,
      expected: state,
    };
    let committed: Committed | undefined;
    try {
      committed = await this.commitPage(task, execution, pageRead, entries, dualWrite, hold).catch(
        async (error: unknown) => {
          // Refused for good: retrying the same page would fail forever. The records Firestore
          // refuses alone are quarantined, and the page commits without them.
          if (!isRefusedRequest(error)) throw error;
          const kept = await this.quarantineUnwritable(task, execution, entries, dualWrite);
          return kept && this.commitPage(task, execution, pageRead, kept, dualWrite, hold);
        },
      );
    } catch (error) {
      // Contention beyond the retries, or a commit still refused: a failed batch, like any.
      return this.finished(await this.failed(task, execution, error));
    }
    if (!committed?.state) return this.finished(this.done(task, 'lost_lease'));

    await this.countBatch(task, committed.counts, Date.now() - started);
    this.done(task, 'committed', committed.counts);
    if (!goesOn) {
      await this.deps.tasks.enqueueBatch(uid, dryRun, this.nextPointer(task, committed.state));
      return this.finished('committed');
    }
    return {
      kind: 'next',
      task: { ...task, batch: task.batch + 1 },
      state: committed.state,
      read: next,
    };
  }

  private finished(outcome: BatchOutcome): PageStep {
    return { kind: 'done', outcome };
  }

  /**
   * The entries the page's records become once those Firestore refuses even alone are quarantined
   * (logged, and counted as quarantined by the page's commit); undefined once the lease is lost.
   */
  private async quarantineUnwritable(
    task: BackfillTask,
    execution: Execution,
    entries: MappedEntry[],
    dualWrite: boolean,
  ): Promise<MappedEntry[] | undefined> {
    const isolation = await isolateUnwritable(
      entries,
      async (some) =>
        (await this.commitPage(task, execution, undefined, [...some], dualWrite)) !== undefined,
    );
    if (isolation.kind === 'lost_lease') return undefined;
    for (const { recordName, code, message } of isolation.unwritable) {
      logs.backfillRecordUnwritable(task.uid, recordName, code, message);
    }
    return isolation.entries;
  }

  /**
   * The page's writes, the advanced cursor and the counts: one commit, or none (undefined: the
   * lease is lost). Without `page`, only the entries' writes (quarantineUnwritable): the run stays
   * where it is, and no state comes back.
   *
   * A page is planned from `page.expected`, the state the task's last commit left, and the state
   * is read in the same round trip as the page's documents: one read per page instead of two.
   * The transaction then checks the state it read: a run taken over is left alone, and a state
   * that would plan the page differently plans it again from what was read.
   */
  private commitPage(
    task: BackfillTask,
    execution: Execution,
    page:
      { cursor: string; moreComing: boolean; readAt: Date; expected: MigrationState } | undefined,
    entries: MappedEntry[],
    dualWrite: boolean,
    hold?: LeaseHold,
  ): Promise<Committed | undefined> {
    const { uid, dryRun } = task;
    const paths = userPaths(this.deps.db, uid);
    const stateRef = this.deps.states.ref(uid, dryRun);
    return this.deps.db.runTransaction(
      async (tx) => {
        const now = this.clock();
        const plan = (state: MigrationState, read: PageDocumentsRead) =>
          planPage(
            paths,
            entries,
            {
              ...this.planInputs(state, dryRun, now),
              runId: task.runId,
              now: now.toISOString(),
              dualWrite,
            },
            read,
          );
        // Without a page (quarantineUnwritable), the state is read first, as it stands.
        const assumed = page?.expected ?? (await this.deps.states.read(tx, uid, dryRun));
        let current = page ? undefined : assumed;
        const readWithState: PageDocumentsRead = async (refs) => {
          if (current) return tx.getAll(...refs);
          const [stateSnap, ...snaps] = await tx.getAll(stateRef, ...refs);
          current = this.deps.states.parse(stateSnap);
          return snaps;
        };
        let planned = await plan(assumed, readWithState);
        current ??= await this.deps.states.read(tx, uid, dryRun);
        if (!holdsLease(current, task, execution.owner)) return undefined;
        const inputs = (state: MigrationState) => this.planInputs(state, dryRun, now);
        if (!samePlanInputs(inputs(current), inputs(assumed))) {
          planned = await plan(current, readWithState);
        }
        if (!dryRun) planned.apply(tx);
        if (!page) return { counts: planned.counts };
        const next = afterBatch(
          current,
          {
            cursor: page.cursor,
            moreComing: page.moreComing,
            counts: planned.counts,
            readAt: page.readAt,
            soleWriter: planned.soleWriter,
          },
          now,
          hold,
        );
        this.deps.states.write(tx, uid, dryRun, current, next);
        return { counts: planned.counts, state: next };
      },
      { maxAttempts: config.transactionMaxAttempts },
    );
  }

  /** What a page's plan takes from the run's state. */
  private planInputs(state: MigrationState, dryRun: boolean, now: Date): PlanInputs {
    const sole = dryRun ? undefined : soleWriterOf(state);
    return {
      deletionsSince: deletionsSince(state),
      soleWriter: sole && {
        ...sole,
        since: Date.parse(state.startedAt ?? now.toISOString()) - config.cloudKitClockSkewMs,
      },
    };
  }

  private nextPointer(task: BackfillTask, state: MigrationState): BatchPointer {
    return { runId: task.runId, batch: task.batch + 1, attempts: state.attempts ?? 0 };
  }

  /** The stream is exhausted: streaks from the migrated completions, then the run is complete. */
  private async complete(
    task: BackfillTask,
    execution: Execution,
    state: MigrationState,
  ): Promise<BatchOutcome> {
    try {
      const maintainedBy = state.soleWriter ? task.runId : undefined;
      if (!task.dryRun) await this.deps.finishStreaks(task.uid, maintainedBy);
    } catch (error) {
      return this.failed(task, execution, error);
    }
    const done = await this.whileHeld(task, execution, (s) => completed(s, this.clock()));
    if (!done) return this.done(task, 'lost_lease');
    await this.transition(
      task,
      done.status === 'completed' ? 'completed' : 'completed_with_errors',
    );
    if (!task.dryRun && typeof done.durationMs === 'number') {
      // Per hour, beside the run's completion: the dashboard's p95 of the hour's runs.
      this.deps.telemetry.record('migrationDuration', runDuration.outcome('run', done.durationMs), {
        uid: task.uid,
      });
    }
    return this.done(task, 'completed', done.counts);
  }

  /**
   * A legacy store that refuses the request for good fails the run; anything else (throttled,
   * down, timed out, contention) is retried by the task queue until its last attempt.
   */
  private async failed(
    task: BackfillTask,
    execution: Execution,
    error: unknown,
  ): Promise<BatchOutcome> {
    const permanent = error instanceof LegacyStoreError && !error.retryable;
    const retrying = !permanent && !execution.finalAttempt;
    const code = String((error as { code?: unknown }).code ?? 'unknown');
    const message = error instanceof Error ? error.message : String(error);
    // A retry carries on from the run's current page, even one past its own batch.
    await this.whileHeld(task, execution, (s) => {
      const after = afterFailure(s, { code, message }, retrying, this.clock());
      return retrying ? handedBack(after, execution.owner, this.clock()) : after;
    });
    logs.backfillBatchFailed(task.uid, task.batch, code, retrying);
    if (!task.dryRun) {
      this.deps.telemetry.record('backfillBatch', 'failure', {
        uid: task.uid,
        errorCode: code,
      });
    }
    if (retrying) throw error;
    await this.transition(task, 'failed');
    return this.done(task, 'failed');
  }

  /** Applies `change` if this execution still holds the run; the new state, or undefined. */
  private whileHeld(
    task: BackfillTask,
    execution: Execution,
    change: (state: MigrationState) => MigrationState,
  ): Promise<MigrationState | undefined> {
    return this.deps.states.update(task.uid, task.dryRun, (state) => {
      if (!holdsLease(state, task, execution.owner)) return { result: undefined };
      const next = change(state);
      return { write: next, result: next };
    });
  }

  private async countBatch(task: BackfillTask, counts: MigrationCounts, latencyMs: number) {
    if (task.dryRun) return;
    const { uid } = task;
    const { telemetry } = this.deps;
    const migrated = migratedCount(counts);
    telemetry.record('backfillBatch', 'success', { uid, latencyMs });
    if (migrated > 0) telemetry.record('migrationRecords', 'migrated', { uid, count: migrated });
    if (counts.skipped > 0) {
      telemetry.record('migrationRecords', 'skipped', { uid, count: counts.skipped });
    }
    if (counts.quarantined > 0) {
      telemetry.record('migrationRecords', 'quarantined', {
        uid,
        count: counts.quarantined,
      });
    }
  }

  private async transition(
    task: BackfillTask,
    outcome:
      'started' | 'completed' | 'completed_with_errors' | 'failed' | 'awaiting_link' | 'paused',
  ) {
    if (!task.dryRun) this.deps.telemetry.record('migration', outcome, { uid: task.uid });
  }

  private done(
    task: BackfillTask,
    outcome: BatchOutcome,
    counts?: Record<string, number>,
  ): BatchOutcome {
    logs.backfillBatch(task.uid, task, outcome, counts);
    return outcome;
  }
}
