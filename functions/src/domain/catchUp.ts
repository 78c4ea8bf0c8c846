import {
  addCounts,
  MIGRATED_STATUSES,
  type MigrationCounts,
  type MigrationState,
} from './migrationState';

/**
 * Following a migrated user's CloudKit change feed until cutover (docs/architecture.md,
 * invariant 9). The first copy leaves its sync token in the state's `cursor`; each catch-up pass
 * reads the changes since it and commits them with the advanced cursor, so the feed is read once
 * whoever asks.
 * Every rule about when a pass may commit and what it records lives here, without Firebase.
 */

/** Why a catch-up cannot run for this state, or undefined when it can. */
export function catchUpRefusal(
  state: MigrationState,
): 'not_migrated' | 'dry_run' | 'no_cursor' | undefined {
  if (state.dryRun) return 'dry_run';
  if (!MIGRATED_STATUSES.has(state.status)) return 'not_migrated';
  if (!state.cursor) return 'no_cursor';
  return undefined;
}

/** Followed users whose last catch-up started before this are due at `now`. */
export function catchUpDueBefore(now: Date, flags: { legacyCatchUpIntervalMinutes: number }): Date {
  return new Date(now.getTime() - flags.legacyCatchUpIntervalMinutes * 60_000);
}

/** A pass that started reading the feed to its end after `requestedAt` answers that request. */
export function requestServed(state: MigrationState, requestedAt: string): boolean {
  const caughtUpAt = state.catchUp?.caughtUpAt;
  return !!caughtUpAt && caughtUpAt >= requestedAt;
}

/** Where a pass read from: it may commit only if the run and the cursor are still these. */
export interface FeedPosition {
  runId: string | undefined;
  cursor: string | null | undefined;
}

export const positionOf = (state: MigrationState): FeedPosition => ({
  runId: state.runId,
  cursor: state.cursor,
});

/**
 * Compare-and-swap on the cursor: another pass that committed these changes, or a forced re-run
 * that started over, moved it; committing again would apply a page twice or beside a new run.
 */
export function stillAt(state: MigrationState, position: FeedPosition): boolean {
  return (
    catchUpRefusal(state) === undefined &&
    state.runId === position.runId &&
    state.cursor === position.cursor
  );
}

/**
 * Since when a CloudKit deletion read now may have happened. During the first copy the feed is
 * history, so only the run's start is known; once the feed was read to its end, whatever follows
 * the cursor is newer than that read.
 */
export function deletionsSince(state: MigrationState): string | null {
  const caughtUpAt = state.catchUp?.caughtUpAt;
  if (MIGRATED_STATUSES.has(state.status) && caughtUpAt) return caughtUpAt;
  return state.startedAt ?? null;
}

export interface CatchUpPage {
  cursor: string;
  moreComing: boolean;
  /** When the read of this page started. */
  readAt: Date;
  counts: MigrationCounts;
  echoes: number;
  /** CloudKit's modification time of the oldest change taken from this page, if any carried one. */
  oldestChangeMs: number | undefined;
  /** Habits whose streak the page may have changed. */
  habits: readonly string[];
}

const iso = (at: Date) => at.toISOString();

/** A page committed by a catch-up: cursor and statistics advance together. */
export function afterCatchUpPage(
  state: MigrationState,
  page: CatchUpPage,
  now: Date,
): MigrationState {
  const before = state.catchUp ?? {};
  const read = Object.values(page.counts).reduce((sum, n) => sum + n, 0);
  const lagMs =
    page.oldestChangeMs === undefined
      ? read === 0 && !page.moreComing
        ? 0
        : (before.lagMs ?? null)
      : Math.max(0, now.getTime() - page.oldestChangeMs);
  return {
    ...state,
    cursor: page.cursor,
    catchUp: {
      ...before,
      following: true,
      caughtUpAt: page.moreComing ? (before.caughtUpAt ?? null) : iso(page.readAt),
      passes: (before.passes ?? 0) + (page.moreComing ? 0 : 1),
      changes: (before.changes ?? 0) + read,
      counts: addCounts(before.counts ?? {}, page.counts),
      echoes: (before.echoes ?? 0) + page.echoes,
      streaksPending: [...new Set([...(before.streaksPending ?? []), ...page.habits])],
      lagMs,
      behind: page.moreComing,
      lastError: null,
      updatedAt: iso(now),
    },
  };
}

/** These habits' streaks are recomputed; any a later page added stay pending. */
export function streaksRecomputed(
  state: MigrationState,
  habitIds: readonly string[],
): MigrationState {
  const done = new Set(habitIds);
  const pending = (state.catchUp?.streaksPending ?? []).filter((id) => !done.has(id));
  return { ...state, catchUp: { ...state.catchUp, streaksPending: pending } };
}

/** The first copy read the feed to its end at `readAt`: catch-ups start from there. */
export function feedReadToEnd(state: MigrationState, readAt: Date): MigrationState {
  return { ...state, catchUp: { ...state.catchUp, caughtUpAt: iso(readAt), behind: false } };
}

/** The run completed: the user is followed from now on (a dry run never is). */
export function startFollowing(state: MigrationState): MigrationState {
  if (state.dryRun) return state;
  return { ...state, catchUp: { ...state.catchUp, following: true } };
}

/**
 * A pass that could not read. Without a token, or with a sync token CloudKit refuses for good
 * (`permanent`), the user drops out of the schedule until `legacy-link` or an operator asks again;
 * any other error is recorded and retried.
 */
export function catchUpFailed(
  state: MigrationState,
  error: { code: string; message: string; permanent: boolean },
  now: Date,
): MigrationState {
  return {
    ...state,
    catchUp: {
      ...state.catchUp,
      following: error.permanent ? false : (state.catchUp?.following ?? true),
      lastError: { code: error.code, message: error.message, at: iso(now) },
      updatedAt: iso(now),
    },
  };
}
