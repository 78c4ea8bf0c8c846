import {
  afterCatchUpPage,
  type CatchUpPage,
  catchUpDueBefore,
  catchUpFailed,
  catchUpRefusal,
  deletionsSince,
  positionOf,
  requestServed,
  stillAt,
  streaksRecomputed,
} from '../../../functions/src/domain/catchUp';
import { afterBatch, completed } from '../../../functions/src/domain/migrationRun';
import {
  emptyCounts,
  type MigrationCounts,
  type MigrationState,
} from '../../../functions/src/domain/migrationState';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);
const iso = (minutesAgo: number) => at(minutesAgo).toISOString();
const counts = (partial: Partial<MigrationCounts>) => ({ ...emptyCounts(), ...partial });

const migrated: MigrationState = {
  status: 'completed',
  runId: 'run-1',
  dryRun: false,
  cursor: 'token-9',
  startedAt: iso(600),
  catchUp: { following: true, caughtUpAt: iso(60), passes: 1, changes: 0 },
};

function page(partial: Partial<CatchUpPage> = {}): CatchUpPage {
  return {
    cursor: 'token-10',
    moreComing: false,
    readAt: at(1),
    counts: emptyCounts(),
    echoes: 0,
    oldestChangeMs: undefined,
    habits: [],
    ...partial,
  };
}

describe('catchUpRefusal: who may be caught up', () => {
  it.each<{ name: string; state: MigrationState; refusal: string | undefined }>([
    { name: 'a completed run with its sync token', state: migrated, refusal: undefined },
    {
      name: 'a run completed with errors',
      state: { ...migrated, status: 'completed_with_errors' },
      refusal: undefined,
    },
    {
      name: 'a run still going',
      state: { ...migrated, status: 'running' },
      refusal: 'not_migrated',
    },
    {
      name: 'a forced re-run, queued',
      state: { ...migrated, status: 'queued' },
      refusal: 'not_migrated',
    },
    { name: 'a failed run', state: { ...migrated, status: 'failed' }, refusal: 'not_migrated' },
    { name: 'a dry run', state: { ...migrated, dryRun: true }, refusal: 'dry_run' },
    { name: 'no sync token kept', state: { ...migrated, cursor: null }, refusal: 'no_cursor' },
    { name: 'never migrated', state: { status: 'not_started' }, refusal: 'not_migrated' },
  ])('$name: $refusal', ({ state, refusal }) => {
    expect(catchUpRefusal(state)).toBe(refusal);
  });
});

describe('requestServed: duplicate requests collapse', () => {
  it.each([
    { name: 'a pass read the whole feed after the request', requested: iso(90), served: true },
    { name: 'the same instant', requested: iso(60), served: true },
    { name: 'the request came after the last pass read', requested: iso(30), served: false },
  ])('$name: $served', ({ requested, served }) => {
    expect(requestServed(migrated, requested)).toBe(served);
  });

  it('a user never caught up is never served', () => {
    expect(requestServed({ ...migrated, catchUp: undefined }, iso(900))).toBe(false);
  });
});

describe('stillAt: the compare-and-swap a page commits under', () => {
  const from = positionOf(migrated);

  it.each<{ name: string; now: MigrationState; ok: boolean }>([
    { name: 'nothing moved', now: migrated, ok: true },
    {
      name: 'another pass committed the page',
      now: { ...migrated, cursor: 'token-10' },
      ok: false,
    },
    {
      name: 'a forced re-run started over',
      now: { ...migrated, status: 'queued', runId: 'run-2', cursor: null },
      ok: false,
    },
    { name: 'the same run, re-queued', now: { ...migrated, status: 'running' }, ok: false },
    { name: 'a new run already completed', now: { ...migrated, runId: 'run-2' }, ok: false },
  ])('$name: $ok', ({ now, ok }) => {
    expect(stillAt(now, from)).toBe(ok);
  });
});

describe('deletionsSince: what a CloudKit deletion read now is judged against', () => {
  it('during the first copy, the run start (the feed is history)', () => {
    expect(deletionsSince({ ...migrated, status: 'running', catchUp: undefined })).toBe(iso(600));
  });

  it('once migrated, the last read of the whole feed (what follows the cursor is newer)', () => {
    expect(deletionsSince(migrated)).toBe(iso(60));
  });

  it('migrated before catch-ups existed: the run start', () => {
    expect(deletionsSince({ ...migrated, catchUp: undefined })).toBe(iso(600));
  });

  it('a forced re-run judges by its own start, whatever the previous catch-ups read', () => {
    expect(deletionsSince({ ...migrated, status: 'running', startedAt: iso(5) })).toBe(iso(5));
  });
});

describe('afterCatchUpPage: cursor and statistics advance together', () => {
  it('the last page: caught up at the time its read started, one more pass', () => {
    const next = afterCatchUpPage(
      migrated,
      page({
        counts: counts({ habits: 1, completions: 2, skipped: 3 }),
        echoes: 2,
        oldestChangeMs: NOW.getTime() - 90_000,
        habits: ['h1', 'h2'],
      }),
      NOW,
    );

    expect(next).toEqual({
      ...migrated,
      cursor: 'token-10',
      catchUp: {
        following: true,
        caughtUpAt: iso(1),
        passes: 2,
        changes: 6,
        counts: counts({ habits: 1, completions: 2, skipped: 3 }),
        echoes: 2,
        streaksPending: ['h1', 'h2'],
        lagMs: 90_000,
        behind: false,
        lastError: null,
        updatedAt: NOW.toISOString(),
      },
    });
  });

  it('a page with more to come: the cursor moves, caughtUpAt and passes wait for the end', () => {
    const next = afterCatchUpPage(migrated, page({ moreComing: true, habits: ['h1'] }), NOW);

    expect(next.cursor).toBe('token-10');
    expect(next.catchUp).toMatchObject({ caughtUpAt: iso(60), passes: 1, behind: true });
  });

  it('an empty feed: no lag', () => {
    expect(afterCatchUpPage(migrated, page(), NOW).catchUp?.lagMs).toBe(0);
  });

  it('keeps pending streaks of earlier pages, once each', () => {
    const pending = { ...migrated, catchUp: { ...migrated.catchUp, streaksPending: ['h1'] } };
    const next = afterCatchUpPage(pending, page({ habits: ['h1', 'h3'] }), NOW);

    expect(next.catchUp?.streaksPending).toEqual(['h1', 'h3']);
  });

  it('clears a previous error and follows a user the schedule had dropped', () => {
    const dropped = catchUpFailed(
      migrated,
      { code: 'awaiting_link', message: 'no token', permanent: true },
      at(5),
    );
    expect(dropped.catchUp).toMatchObject({ following: false });

    const next = afterCatchUpPage(dropped, page(), NOW);
    expect(next.catchUp).toMatchObject({ following: true, lastError: null });
  });
});

describe('catchUpFailed', () => {
  it('without a token the user leaves the schedule until legacy-link asks again', () => {
    const next = catchUpFailed(
      migrated,
      { code: 'awaiting_link', message: 'm', permanent: true },
      NOW,
    );
    expect(next.catchUp).toMatchObject({
      following: false,
      lastError: { code: 'awaiting_link', message: 'm', at: NOW.toISOString() },
    });
    expect(next.cursor).toBe(migrated.cursor);
  });

  it('a sync token CloudKit refuses for good takes the user off the schedule too', () => {
    const next = catchUpFailed(
      migrated,
      { code: 'BAD_REQUEST', message: 'm', permanent: true },
      NOW,
    );
    expect(next.catchUp).toMatchObject({ following: false, lastError: { code: 'BAD_REQUEST' } });
  });

  it('a retryable error is recorded and the user stays followed', () => {
    const next = catchUpFailed(
      migrated,
      { code: 'THROTTLED', message: 'm', permanent: false },
      NOW,
    );
    expect(next.catchUp).toMatchObject({ following: true, lastError: { code: 'THROTTLED' } });
  });
});

describe('streaksRecomputed', () => {
  it('clears what was recomputed, and keeps what a later page added', () => {
    const pending = { ...migrated, catchUp: { streaksPending: ['h1', 'h2', 'h3'] } };
    expect(streaksRecomputed(pending, ['h1', 'h3']).catchUp?.streaksPending).toEqual(['h2']);
  });
});

describe('the first copy hands over to the catch-up', () => {
  const running: MigrationState = {
    status: 'running',
    runId: 'run-1',
    dryRun: false,
    batches: 3,
    startedAt: iso(10),
  };

  it('its last page records when the whole feed was read', () => {
    const last = afterBatch(
      running,
      { cursor: 'token-9', moreComing: false, counts: {}, readAt: at(2) },
      NOW,
    );
    expect(last.catchUp).toEqual({ caughtUpAt: iso(2), behind: false });

    const notLast = afterBatch(
      running,
      { cursor: 'token-8', moreComing: true, counts: {}, readAt: at(2) },
      NOW,
    );
    expect(notLast.catchUp).toBeUndefined();
  });

  it('completion starts following the user, with the cursor kept', () => {
    const done = completed({ ...running, cursor: 'token-9', streamEnded: true }, NOW);
    expect(done.catchUp).toEqual({ following: true });
    expect(done.cursor).toBe('token-9');
  });

  it('a dry run is never followed', () => {
    expect(completed({ ...running, dryRun: true }, NOW).catchUp).toBeUndefined();
  });
});

describe('catchUpDueBefore', () => {
  it('is the flag interval before now', () => {
    expect(catchUpDueBefore(NOW, { legacyCatchUpIntervalMinutes: 60 })).toEqual(at(60));
  });
});
