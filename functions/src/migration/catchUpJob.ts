import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../config';
import { userPaths } from '../data/firestore/paths';
import { LeaseBusyError, type LeaseTiming, type UserLeases } from '../data/firestore/userLease';
import { LegacyStoreError } from '../data/legacy/legacyErrors';
import { isAwaitingLink, type LegacyStore } from '../data/legacy/legacyStore';
import {
  afterCatchUpPage,
  catchUpFailed,
  catchUpRefusal,
  deletionsSince,
  type FeedPosition,
  positionOf,
  requestServed,
  stillAt,
  streaksRecomputed,
} from '../domain/catchUp';
import type { CatchUpTask } from '../domain/backfillMessages';
import { type MigrationState, migratedCount } from '../domain/migrationState';
import type { Flags } from '../flags/flagDefaults';
import { logs } from '../logs';
import type { Telemetry } from '../telemetry/telemetryEvents';
import { planPage } from './backfillBatchWriter';
import { mapLegacyEntry } from '../data/legacy/mapping/legacyToFirestoreMapper';
import type { MigrationStateStore } from './migrationStateStore';

export type CatchUpOutcome =
  /** The feed was read to its end and everything in it committed. */
  | 'caught_up'
  /** A pass that started after the request already read the feed to its end. */
  | 'served'
  /** The pass ran out of its time budget; a continuation task goes on. */
  | 'continued'
  | 'disabled'
  | 'not_migrated'
  | 'dry_run'
  | 'no_cursor'
  | 'awaiting_link'
  /** The cursor moved under the pass (a forced re-run started over): its page is dropped. */
  | 'superseded'
  /** CloudKit refused the request for good (a sync token it no longer knows): needs `force`. */
  | 'failed';

export interface CatchUpSettings {
  lease: LeaseTiming;
  /** Past this, the pass hands the rest of the feed to a continuation task. */
  budgetMs: number;
}

export interface CatchUpDependencies {
  db: Firestore;
  states: MigrationStateStore;
  legacy: LegacyStore;
  /** `catchUps/{uid}`: one pass per user at a time. */
  leases: UserLeases;
  telemetry: Telemetry;
  flags: (uid: string) => Promise<Flags>;
  /** The named habits' streaks from their completions (what a page changed). */
  recomputeStreaks: (uid: string, habitIds: readonly string[]) => Promise<unknown>;
  continueLater: (uid: string) => Promise<void>;
  settings: CatchUpSettings;
  clock?: () => Date;
}

/**
 * One catch-up pass for one user: under the user's lease, read the change feed from the cursor a
 * page at a time, apply each page with the backfill's batch writer and conflict rule, and commit
 * it with the advanced cursor, compare-and-swap on the cursor it read from. A duplicate request
 * finds the lease held (its task retries, then finds itself served); a pass that dies leaves the
 * cursor at its last commit, so whoever comes next reads the rest and nothing twice.
 */
export class CatchUpJob {
  private readonly clock: () => Date;

  constructor(private readonly deps: CatchUpDependencies) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Throws LeaseBusyError while another pass runs: the task queue retries it after that one. */
  async run(task: CatchUpTask): Promise<CatchUpOutcome> {
    const { uid } = task;
    const flags = await this.deps.flags(uid);
    if (!flags.legacyCatchUpEnabled || flags.forceMigrationComplete) {
      return this.done(uid, 'disabled');
    }
    const state = await this.deps.states.get(uid);
    const refusal = catchUpRefusal(state);
    if (refusal) return this.done(uid, refusal);
    if (requestServed(state, task.requestedAt) && !state.catchUp?.streaksPending?.length) {
      return this.done(uid, 'served');
    }
    try {
      const outcome = await this.deps.leases.run(uid, this.deps.settings.lease, (owner) =>
        this.pass(uid, owner, flags),
      );
      return this.done(uid, outcome);
    } catch (error) {
      if (error instanceof LeaseBusyError) logs.catchUp(uid, 'busy');
      throw error;
    }
  }

  /**
   * Pages until the feed is read to its end, then the streaks those pages changed. Every step
   * starts by renewing the lease and checking the time budget (well inside the function's
   * timeout), so a long feed or many streaks go on in a continuation, never in a killed task.
   */
  private async pass(uid: string, owner: string, flags: Flags): Promise<CatchUpOutcome> {
    const started = this.clock().getTime();
    const dualWrite = flags.dualWriteEnabled && !flags.forceMigrationComplete;
    let caughtUp = false;
    for (;;) {
      // Renewed per step: a pass that outlived its lease must not go on beside another.
      if (!(await this.deps.leases.acquire(uid, owner, this.deps.settings.lease.leaseMs))) {
        throw new LeaseBusyError('catchUps');
      }
      const state = await this.deps.states.get(uid);
      const refusal = catchUpRefusal(state);
      if (refusal) return refusal;
      if (this.clock().getTime() - started > this.deps.settings.budgetMs) {
        await this.deps.continueLater(uid);
        return 'continued';
      }
      if ((state.catchUp?.streaksPending ?? []).length > 0) {
        await this.recomputeSomeStreaks(uid, state);
        continue;
      }
      if (caughtUp) return 'caught_up';
      const outcome = await this.page(uid, positionOf(state), flags.backfillBatchSize, dualWrite);
      if (outcome === 'caught_up') caughtUp = true;
      // 'moved': another pass committed from this cursor meanwhile; go on from where it left.
      else if (outcome !== 'more' && outcome !== 'moved') return outcome;
    }
  }

  /** Reads and commits one page from `from`; 'more' when the feed goes on after it. */
  private async page(
    uid: string,
    from: FeedPosition,
    limit: number,
    dualWrite: boolean,
  ): Promise<CatchUpOutcome | 'more' | 'moved'> {
    const readAt = this.clock();
    let page;
    try {
      page = await this.deps.legacy.readChanges(uid, from.cursor ?? null, limit);
    } catch (error) {
      return this.failed(uid, error);
    }
    if (isAwaitingLink(page)) {
      await this.record(uid, (s) =>
        catchUpFailed(s, { ...awaitingLinkError, permanent: true }, this.clock()),
      );
      this.deps.telemetry.record('catchUp', 'awaiting_link', { uid });
      return 'awaiting_link';
    }
    const entries = page.entries.map(mapLegacyEntry);
    const paths = userPaths(this.deps.db, uid);
    const committed = await this.deps.db.runTransaction(
      async (tx) => {
        const current = await this.deps.states.read(tx, uid, false);
        if (!stillAt(current, from)) {
          return catchUpRefusal(current) || current.runId !== from.runId ? 'superseded' : 'moved';
        }
        const now = this.clock();
        const planned = await planPage(
          paths,
          entries,
          {
            runId: current.runId ?? '',
            deletionsSince: deletionsSince(current),
            now: now.toISOString(),
            dualWrite,
            skipOwnWrites: true,
          },
          (refs) => tx.getAll(...refs),
        );
        planned.apply(tx);
        const next = afterCatchUpPage(
          current,
          {
            cursor: page.cursor,
            moreComing: page.moreComing,
            readAt,
            counts: planned.counts,
            echoes: planned.echoes,
            oldestChangeMs: planned.oldestChangeMs,
            habits: planned.streaksChanged,
          },
          now,
        );
        this.deps.states.write(tx, uid, false, current, next);
        return planned;
      },
      { maxAttempts: config.transactionMaxAttempts },
    );
    if (committed === 'superseded' || committed === 'moved') return committed;
    logs.catchUpPage(uid, entries.length, committed.echoes, page.moreComing);
    const { telemetry } = this.deps;
    const applied = migratedCount(committed.counts);
    if (applied > 0) telemetry.record('catchUp', 'applied', { uid, count: applied });
    if (committed.echoes > 0) {
      telemetry.record('catchUp', 'echo', { uid, count: committed.echoes });
    }
    if (page.moreComing) return 'more';
    telemetry.record('catchUp', 'caught_up', {
      uid,
      latencyMs: this.clock().getTime() - readAt.getTime(),
    });
    return 'caught_up';
  }

  /**
   * Streaks of habits committed pages changed, recorded with those pages (a pass that died before
   * recomputing them leaves them to the next), a few at a time. They are cleared only if no page
   * committed meanwhile: a page that changed one of them again needs it recomputed again.
   */
  private async recomputeSomeStreaks(uid: string, state: MigrationState): Promise<void> {
    const some = (state.catchUp?.streaksPending ?? []).slice(0, config.catchUpStreaksPerStep);
    await this.deps.recomputeStreaks(uid, some);
    const from = positionOf(state);
    await this.record(uid, (s) => (stillAt(s, from) ? streaksRecomputed(s, some) : s));
  }

  /** Retryable errors are recorded and rethrown (the task retries); the rest end the pass. */
  private async failed(uid: string, error: unknown): Promise<CatchUpOutcome> {
    const code = String((error as { code?: unknown }).code ?? 'unknown');
    const message = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof LegacyStoreError && !error.retryable;
    await this.record(uid, (s) => catchUpFailed(s, { code, message, permanent }, this.clock()));
    this.deps.telemetry.record('catchUp', 'failed', { uid, errorCode: code });
    logs.catchUpFailed(uid, code, !permanent);
    if (!permanent) throw error;
    return 'failed';
  }

  private record(uid: string, change: (state: MigrationState) => MigrationState): Promise<void> {
    return this.deps.states.update(uid, false, (state) => ({
      write: catchUpRefusal(state) ? undefined : change(state),
      result: undefined,
    }));
  }

  private done(uid: string, outcome: CatchUpOutcome): CatchUpOutcome {
    logs.catchUp(uid, outcome);
    return outcome;
  }
}

const awaitingLinkError = { code: 'awaiting_link', message: 'no valid CloudKit web auth token' };
