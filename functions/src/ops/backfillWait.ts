import { config } from '../config';
import type { BackfillMessage, RunKind } from '../domain/backfillMessages';
import { MIGRATED_STATUSES, type MigrationState } from '../domain/migrationState';

/**
 * Whether `ops status --watch` should wait for a backfill just requested. The trigger queues runs
 * only after Pub/Sub delivers the message (and, for `all`, after a fan-out task has listed the
 * users), so a watch started at once would find nothing in flight and end before anything began.
 * Everything here is pure; the note itself lives in backfillRequestNote.ts.
 */

/** What `ops backfill` published: the note a watch right after it waits on. */
export interface BackfillRequest {
  projectId: string;
  /**
   * The CLI's clock, read before the first message went out. Compared with times the server
   * wrote: a CLI clock running ahead by more than the delivery takes would make a watch wait out
   * its grace period for runs already queued.
   */
  requestedAt: string;
  messageIds: string[];
  uids: string[] | 'all';
  force: boolean;
  dryRun: boolean;
}

/** A request older than this was made for some other watch: behave as if there were none. */
export const RECENT_REQUEST_MS = config.ops.recentBackfillRequestMs;
export const DEFAULT_GRACE_SECONDS = config.ops.backfillGraceSeconds;

export function backfillRequest(
  projectId: string,
  requestedAt: Date,
  kind: RunKind,
  published: { message: BackfillMessage; id: string }[],
): BackfillRequest {
  const uids: string[] = [];
  let all = false;
  for (const { message } of published) {
    if (message.type === 'user') uids.push(message.uid);
    else if (message.type === 'users') uids.push(...message.uids);
    else if (message.type === 'all') all = true;
  }
  return {
    projectId,
    requestedAt: requestedAt.toISOString(),
    messageIds: published.map(({ id }) => id),
    uids: all ? 'all' : uids,
    force: kind.force,
    dryRun: kind.dryRun,
  };
}

export interface WatchScope {
  projectId: string;
  /** One user's watch; the overall watch otherwise. */
  uid?: string;
  dryRun: boolean;
  now: Date;
}

export type WatchWait =
  | { kind: 'none' }
  | { kind: 'await'; request: BackfillRequest }
  /** The overall figures leave dry runs out: nothing for that watch to wait for. */
  | { kind: 'dry_run'; request: BackfillRequest };

/** Which request, if any, this watch waits for. */
export function requestToAwait(request: BackfillRequest | undefined, scope: WatchScope): WatchWait {
  if (!request || request.projectId !== scope.projectId) return { kind: 'none' };
  const age = scope.now.getTime() - Date.parse(request.requestedAt);
  // A negative age is a clock set back since: the note cannot be placed in time.
  if (!(age >= 0 && age <= RECENT_REQUEST_MS)) return { kind: 'none' };
  if (scope.uid === undefined) {
    return request.dryRun ? { kind: 'dry_run', request } : { kind: 'await', request };
  }
  const addressed = request.uids === 'all' || request.uids.includes(scope.uid);
  return addressed && request.dryRun === scope.dryRun
    ? { kind: 'await', request }
    : { kind: 'none' };
}

/**
 * One user's state answers the request once a run was queued after it, or when the request will
 * not queue one: a run already in flight carries on, and a migrated user stays migrated without
 * `force` (domain/migrationRun planQueue). A state finished by an earlier run does not answer a
 * forced request: that is the re-run not yet queued.
 */
export function userAnswered(
  state: Pick<MigrationState, 'status' | 'queuedAt'>,
  request: BackfillRequest,
): boolean {
  if (state.status === 'queued' || state.status === 'running') return true;
  const queuedAt = Date.parse(state.queuedAt ?? '');
  if (queuedAt >= Date.parse(request.requestedAt)) return true;
  return MIGRATED_STATUSES.has(state.status) && !request.force;
}

/**
 * The overall figures answer the request once their counters were written after it: every state
 * a request changes (queued, a forced re-run) changes a counter, and a request that changes no
 * state writes none. Some other change (a catch-up) also answers it: the watch then goes on as
 * without a request, which is what it did before.
 */
export function countersAnswered(
  lastCounterWriteMs: number | undefined,
  request: BackfillRequest,
): boolean {
  return lastCounterWriteMs !== undefined && lastCounterWriteMs >= Date.parse(request.requestedAt);
}

export type WaitStep = 'watch' | 'wait' | 'give_up';

/** Watch once runs are in flight or the request is answered; wait within the grace period. */
export function waitStep(input: {
  inFlight: number;
  answered: boolean;
  nowMs: number;
  waitUntilMs: number;
}): WaitStep {
  if (input.inFlight > 0 || input.answered) return 'watch';
  return input.nowMs < input.waitUntilMs ? 'wait' : 'give_up';
}

/** HH:MM:SS on the operator's clock, as they saw the request go out. */
export function clockTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

const requested = (request: BackfillRequest) =>
  `the backfill requested at ${clockTime(new Date(request.requestedAt))}`;

export function waitingLine(request: BackfillRequest, graceSeconds: number): string {
  return `waiting for ${requested(request)} to queue its runs (up to ${graceSeconds} s)...`;
}

export function dryRunLine(request: BackfillRequest): string {
  return `${requested(request)} is a dry run: these figures leave dry runs out (follow one with status --uid U --dry-run --watch)`;
}

/** Why nothing was queued, the likeliest first; `uid` for one user's watch. */
export function nothingQueuedLines(
  request: BackfillRequest,
  graceSeconds: number,
  uid?: string,
): string[] {
  const what = uid === undefined ? 'no run was' : `no run of ${uid} was`;
  const reasons = [
    'the functions are not running (locally: npm start), so nothing takes the message off the topic',
  ];
  if (request.uids === 'all' && !request.force) {
    reasons.push(
      '--all without --force takes only users inside backfillRolloutPercentage (see ops flags)',
    );
  }
  if (!request.force && uid === undefined) {
    reasons.push('users already migrated stay as they are without --force');
  }
  if (request.uids === 'all') reasons.push('the legacy store lists no users to migrate');
  reasons.push('the queue is slower than the grace period (raise it with --grace)');
  return [
    `${what} queued within ${graceSeconds} s of ${requested(request)}; possible reasons:`,
    ...reasons.map((reason) => `  - ${reason}`),
  ];
}
