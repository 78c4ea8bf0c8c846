import { SingleBar } from 'cli-progress';
import { catchUpDueBefore } from '../../domain/catchUp';
import { stageOf } from '../../domain/rolloutStages';
import type { CatchUpState } from '../../domain/catchUpState';
import { type MigrationState, migratedCount } from '../../domain/migrationState';
import { type MigrationStats, migrationStats } from '../../migration/migrationStats';
import {
  type WatchWait,
  countersAnswered,
  dryRunLine,
  nothingQueuedLines,
  requestToAwait,
  userAnswered,
} from '../backfillWait';
import { readBackfillRequest } from '../backfillRequestNote';
import { EXIT, type OpsContext, OpsError } from '../opsContext';
import { awaitRequest, lastCounterWrite } from './backfillWaiter';
import { formatAge } from './outboxCommand';
import { stageLine } from './rolloutCommand';
import { requireKnownUser } from './userLookup';

export interface StatusOptions {
  uid?: string;
  watch?: boolean;
  dryRun?: boolean;
  /** Seconds between refreshes. */
  interval: number;
  /** Give up watching after this many seconds (exit 1). */
  timeout?: number;
  /** With --watch, how long to wait for the runs of a backfill just requested (0: not at all). */
  grace: number;
  json?: boolean;
  /** Count as overdue the followed users not caught up since this instant (a cutover check). */
  caughtUpBefore?: Date;
}

type Print = (line: string) => void;

const FINISHED = ['completed', 'completed_with_errors', 'failed'];
const IN_FLIGHT = ['queued', 'running'];
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export async function status(ctx: OpsContext, options: StatusOptions, print: Print) {
  return options.uid === undefined
    ? overallStatus(ctx, options, print)
    : userStatus(ctx, options.uid, options, print);
}

function deadline(options: StatusOptions): number {
  return options.timeout === undefined ? Infinity : Date.now() + options.timeout * 1000;
}

/** The backfill this watch follows: `ops backfill` may have just published one (backfillWait). */
function awaitedRequest(ctx: OpsContext, options: StatusOptions): WatchWait {
  if (!options.watch || options.grace === 0) return { kind: 'none' };
  return requestToAwait(readBackfillRequest(), {
    projectId: ctx.projectId,
    uid: options.uid,
    dryRun: options.dryRun ?? false,
    now: new Date(),
  });
}

/** The wait for a request's runs counts against --timeout too. */
function graceTiming(options: StatusOptions) {
  return {
    graceSeconds: Math.min(options.grace, options.timeout ?? Infinity),
    intervalSeconds: options.interval,
    quiet: options.json ?? false,
  };
}

async function userStatus(ctx: OpsContext, uid: string, options: StatusOptions, print: Print) {
  await requireKnownUser(ctx.db, uid);
  const store = ctx.migrations();
  const until = deadline(options);
  const awaited = awaitedRequest(ctx, options);
  if (awaited.kind === 'await') {
    const { request } = awaited;
    const timing = graceTiming(options);
    const waited = await awaitRequest(
      request,
      timing,
      async () => {
        const value = await store.get(uid, options.dryRun);
        return { value, inFlight: 0, answered: userAnswered(value, request) };
      },
      print,
    );
    if (waited.gaveUp) {
      printUser(uid, waited.value, options, print);
      const lines = nothingQueuedLines(request, timing.graceSeconds, uid);
      // Named, the user is queued whatever the rollout says; under `all` they may be outside it.
      if (request.uids !== 'all') throw new OpsError(lines.join('\n'), EXIT.problem);
      if (!options.json) lines.forEach((line) => print(line));
      return waited.value;
    }
  }
  let state: MigrationState;
  for (;;) {
    state = await store.get(uid, options.dryRun);
    // A run just requested may not have a state yet; one awaiting a link waits for the app.
    const settled = FINISHED.includes(state.status) || state.status === 'awaiting_link';
    if (!options.watch || settled) break;
    if (!options.json) print(userLine(uid, state));
    if (Date.now() > until) throw new OpsError(`${uid} still ${state.status}`, EXIT.problem);
    await sleep(options.interval * 1000);
  }
  printUser(uid, state, options, print);
  return state;
}

function printUser(uid: string, state: MigrationState, options: StatusOptions, print: Print) {
  if (options.json) print(JSON.stringify({ uid, ...state }));
  else {
    print(userLine(uid, state));
    if (state.lastError) print(`  last error: ${state.lastError.code}: ${state.lastError.message}`);
    if (state.catchUp) print(catchUpLine(state.catchUp));
  }
}

function userLine(uid: string, state: MigrationState): string {
  const counts = Object.entries(state.counts ?? {})
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
  return `${uid}: ${state.status}, ${state.batches ?? 0} batches${counts ? ` (${counts})` : ''}`;
}

/** Where following the user's CloudKit change feed stands (domain/catchUp). */
export function catchUpLine(catchUp: CatchUpState, now = new Date()): string {
  const parts = [catchUp.following ? 'following' : 'not following'];
  if (catchUp.caughtUpAt) {
    parts.push(
      `caught up ${catchUp.caughtUpAt} (${formatAge(Math.max(0, now.getTime() - Date.parse(catchUp.caughtUpAt)))} ago)`,
    );
  } else parts.push('never caught up');
  const changes = catchUp.changes ?? 0;
  parts.push(
    `${changes} changes (${migratedCount(catchUp.counts ?? {})} applied, ${catchUp.echoes ?? 0} own writes seen)`,
  );
  if (catchUp.lagMs !== undefined && catchUp.lagMs !== null)
    parts.push(`lag ${formatAge(catchUp.lagMs)}`);
  if (catchUp.behind) parts.push('behind: more pages wait');
  if (catchUp.lastError) parts.push(`last error ${catchUp.lastError.code}`);
  return `  catch-up: ${parts.join(', ')}`;
}

/** Users per status with a bar of finished runs, and the rate records are migrating at. */
async function overallStatus(ctx: OpsContext, options: StatusOptions, print: Print) {
  const until = deadline(options);
  const currentStats = async () =>
    migrationStats(
      ctx.db,
      options.caughtUpBefore ??
        catchUpDueBefore(new Date(), (await ctx.featureFlags().forUser()).values),
    );
  let stats = await currentStats();
  if (!options.watch) {
    const stage = stageOf((await ctx.featureFlags().forUser()).values);
    if (options.json) print(JSON.stringify({ ...stats, stage }));
    else {
      print(stageLine(stage));
      printStats(stats, undefined, print);
    }
    return stats;
  }
  const awaited = awaitedRequest(ctx, options);
  if (awaited.kind === 'dry_run' && !options.json) print(dryRunLine(awaited.request));
  if (awaited.kind === 'await') {
    const { request } = awaited;
    const timing = graceTiming(options);
    const waited = await awaitRequest(
      request,
      timing,
      async () => {
        const [value, lastWrite] = await Promise.all([currentStats(), lastCounterWrite(ctx.db)]);
        return { value, inFlight: inFlight(value), answered: countersAnswered(lastWrite, request) };
      },
      print,
    );
    stats = waited.value;
    if (waited.gaveUp) {
      // Not a failure: a request can rightly have nothing to queue, and this watch cannot tell.
      if (options.json) print(JSON.stringify(stats));
      else {
        nothingQueuedLines(request, timing.graceSeconds).forEach((line) => print(line));
        printStats(stats, 'no runs queued or running', print);
      }
      return stats;
    }
  }
  const bar = new SingleBar({
    format: 'migrated {bar} {value}/{total} users | {rate} records/s | {inFlight} in flight',
    noTTYOutput: false,
    hideCursor: true,
  });
  bar.start(userTotal(stats), finishedUsers(stats), { rate: 0, inFlight: inFlight(stats) });
  let previous = { at: Date.now(), records: stats.recordsMigrated };
  try {
    while (inFlight(stats) > 0) {
      if (Date.now() > until) {
        throw new OpsError(`${inFlight(stats)} users still queued or running`, EXIT.problem);
      }
      await sleep(options.interval * 1000);
      stats = await currentStats();
      const now = { at: Date.now(), records: stats.recordsMigrated };
      const rate = Math.round(((now.records - previous.records) * 1000) / (now.at - previous.at));
      previous = now;
      bar.setTotal(userTotal(stats));
      bar.update(finishedUsers(stats), { rate, inFlight: inFlight(stats) });
    }
  } finally {
    bar.stop();
  }
  if (options.json) print(JSON.stringify(stats));
  else printStats(stats, 'no runs queued or running', print);
  return stats;
}

const sum = (stats: MigrationStats, statuses: string[]) =>
  statuses.reduce((n, s) => n + (stats.usersByStatus[s] ?? 0), 0);
const userTotal = (stats: MigrationStats) => sum(stats, Object.keys(stats.usersByStatus));
const finishedUsers = (stats: MigrationStats) => sum(stats, FINISHED);
const inFlight = (stats: MigrationStats) => sum(stats, IN_FLIGHT);

function printStats(stats: MigrationStats, heading: string | undefined, print: Print) {
  if (heading) print(heading);
  const width = Math.max(10, ...Object.keys(stats.usersByStatus).map((s) => s.length));
  print('users by status:');
  for (const [state, n] of Object.entries(stats.usersByStatus)) {
    print(`  ${state.padEnd(width)} ${n}`);
  }
  if (userTotal(stats) === 0) print('  (no migration has been queued yet)');
  print(`records migrated: ${stats.recordsMigrated}`);
  print(
    `failures: ${stats.failures.users} users failed, ${stats.failures.quarantinedRecords} records quarantined`,
  );
  const c = stats.catchUp;
  print(
    `catch-up: ${c.following} users followed, ${c.overdueAtLeast ? 'at least ' : ''}${c.overdue} overdue (last caught up before ${c.dueBefore}), ` +
      `${c.awaitingLink} awaiting a link; ${c.changes} changes read, ${c.applied} applied, ${c.echoes} own writes seen`,
  );
  const time = stats.migrationTimeMs;
  if (time.completedRuns > 0) {
    print(
      `migration time: average ${time.average} ms, p95 ${time.p95} ms over ${time.completedRuns} runs`,
    );
  }
}
