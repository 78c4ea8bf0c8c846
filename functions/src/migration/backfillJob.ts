import type { Firestore } from 'firebase-admin/firestore';
import { userPaths } from '../data/firestore/paths';
import { LegacyStoreError } from '../data/legacy/legacyErrors';
import { isAwaitingLink, type LegacyStore } from '../data/legacy/legacyStore';
import type { BackfillTask } from '../domain/backfillMessages';
import {
  afterBatch,
  afterFailure,
  awaitingLink,
  type BatchPointer,
  type BatchStart,
  completed,
  holdsLease,
  paused,
  planBatchStart,
} from '../domain/migrationRun';
import { deletionsSince } from '../domain/catchUp';
import { type MigrationCounts, type MigrationState, migratedCount } from '../domain/migrationState';
import type { Flags } from '../flags/flagDefaults';
import { logs } from '../logs';
import type { Telemetry } from '../telemetry/telemetryEvents';
import { planPage } from './backfillBatchWriter';
import type { BackfillTasks } from './backfillTasks';
import { type MappedEntry, mapLegacyEntry } from './legacyToFirestoreMapper';
import { isRefusedRequest } from '../data/firestore/firestoreErrors';
import { isolateUnwritable } from './unwritableRecords';
import { config } from '../config';
import type { MigrationStateStore } from './migrationStateStore';

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
  /** The backfill's last step: every habit's streak from its migrated completions. */
  recomputeStreaks: (uid: string) => Promise<number>;
  leaseMs: number;
  clock?: () => Date;
}

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
 * One task of a user's backfill: take the lease, read one page from the cursor, write it with the
 * advanced cursor and counts in one commit, enqueue the next task. The state is the only memory
 * between tasks, so a task that dies anywhere is replaced by one that continues from the last
 * commit, and a duplicate or late task finds it is not the current batch and does nothing.
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
    return state.streamEnded
      ? this.complete(task, execution)
      : this.migratePage(
          task,
          execution,
          state,
          flags.backfillBatchSize,
          flags.dualWriteEnabled && !flags.forceMigrationComplete,
        );
  }

  private clockNow() {
    return { now: this.clock(), leaseMs: this.deps.leaseMs };
  }

  private async migratePage(
    task: BackfillTask,
    execution: Execution,
    state: MigrationState,
    batchSize: number,
    dualWrite: boolean,
  ): Promise<BatchOutcome> {
    const { uid, dryRun } = task;
    const started = Date.now();
    const readAt = this.clock();
    let page;
    try {
      page = await this.deps.legacy.readChanges(uid, state.cursor ?? null, batchSize);
    } catch (error) {
      return this.failed(task, execution, error);
    }
    if (isAwaitingLink(page)) {
      const parked = await this.whileHeld(task, execution, (s) => awaitingLink(s, this.clock()));
      if (parked) await this.transition(task, 'awaiting_link');
      return this.done(task, parked ? 'awaiting_link' : 'lost_lease');
    }

    const entries = page.entries.map(mapLegacyEntry);
    const pageRead = { ...page, readAt };
    let counts: MigrationCounts | undefined;
    try {
      counts = await this.commitPage(task, execution, pageRead, entries, dualWrite).catch(
        async (error: unknown) => {
          // Refused for good: retrying the same page would fail forever. The records Firestore
          // refuses alone are quarantined, and the page commits without them.
          if (!isRefusedRequest(error)) throw error;
          const kept = await this.quarantineUnwritable(task, execution, entries, dualWrite);
          return kept && this.commitPage(task, execution, pageRead, kept, dualWrite);
        },
      );
    } catch (error) {
      // Contention beyond the retries, or a commit still refused: a failed batch, like any.
      return this.failed(task, execution, error);
    }
    if (!counts) return this.done(task, 'lost_lease');

    await this.deps.tasks.enqueueBatch(uid, dryRun, this.nextPointer(task, state));
    await this.countBatch(task, counts, Date.now() - started);
    return this.done(task, 'committed', counts);
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
   * The page's writes, the advanced cursor and the counts: one commit, or none. Without `page`,
   * only the entries' writes (quarantineUnwritable): the run stays where it is.
   */
  private commitPage(
    task: BackfillTask,
    execution: Execution,
    page: { cursor: string; moreComing: boolean; readAt: Date } | undefined,
    entries: MappedEntry[],
    dualWrite: boolean,
  ): Promise<MigrationCounts | undefined> {
    const { uid, dryRun } = task;
    const paths = userPaths(this.deps.db, uid);
    return this.deps.db.runTransaction(
      async (tx) => {
        const current = await this.deps.states.read(tx, uid, dryRun);
        if (!holdsLease(current, task, execution.owner)) return undefined;
        const now = this.clock();
        const planned = await planPage(
          paths,
          entries,
          {
            runId: task.runId,
            deletionsSince: deletionsSince(current),
            now: now.toISOString(),
            dualWrite: dualWrite,
          },
          (refs) => tx.getAll(...refs),
        );
        if (!dryRun) planned.apply(tx);
        if (!page) return planned.counts;
        const next = afterBatch(
          current,
          {
            cursor: page.cursor,
            moreComing: page.moreComing,
            counts: planned.counts,
            readAt: page.readAt,
          },
          now,
        );
        this.deps.states.write(tx, uid, dryRun, current, next);
        return planned.counts;
      },
      { maxAttempts: config.transactionMaxAttempts },
    );
  }

  private nextPointer(task: BackfillTask, state: MigrationState): BatchPointer {
    return { runId: task.runId, batch: task.batch + 1, attempts: state.attempts ?? 0 };
  }

  /** The stream is exhausted: streaks from the migrated completions, then the run is complete. */
  private async complete(task: BackfillTask, execution: Execution): Promise<BatchOutcome> {
    try {
      if (!task.dryRun) await this.deps.recomputeStreaks(task.uid);
    } catch (error) {
      return this.failed(task, execution, error);
    }
    const done = await this.whileHeld(task, execution, (s) => completed(s, this.clock()));
    if (!done) return this.done(task, 'lost_lease');
    await this.transition(
      task,
      done.status === 'completed' ? 'completed' : 'completed_with_errors',
    );
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
    await this.whileHeld(task, execution, (s) =>
      afterFailure(s, { code, message }, retrying, this.clock()),
    );
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
