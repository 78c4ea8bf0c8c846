import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readBackfillRequest,
  writeBackfillRequest,
} from '../../../functions/src/ops/backfillRequestNote';
import {
  type BackfillRequest,
  backfillRequest,
  clockTime,
  countersAnswered,
  nothingQueuedLines,
  RECENT_REQUEST_MS,
  requestToAwait,
  userAnswered,
  waitingLine,
  waitStep,
} from '../../../functions/src/ops/backfillWait';

const AT = '2025-03-01T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(AT) + ms);

function request(overrides: Partial<BackfillRequest> = {}): BackfillRequest {
  return {
    projectId: 'demo-habits',
    requestedAt: AT,
    messageIds: ['1'],
    uids: 'all',
    force: true,
    dryRun: false,
    ...overrides,
  };
}

describe('ops backfill: the note of what it requested', () => {
  it('names the users of every message, or all of them', () => {
    const kind = { force: true, dryRun: false };
    const named = backfillRequest('demo-habits', at(0), kind, [
      { message: { type: 'users', uids: ['a', 'b'], ...kind }, id: '7' },
      { message: { type: 'users', uids: ['c'], ...kind }, id: '8' },
    ]);
    expect(named).toEqual(request({ uids: ['a', 'b', 'c'], messageIds: ['7', '8'] }));
    const all = backfillRequest('demo-habits', at(0), kind, [
      { message: { type: 'all', ...kind }, id: '9' },
    ]);
    expect(all.uids).toBe('all');
  });

  it('is kept in the cache directory and read back; a damaged note reads as none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-cache-'));
    const previous = process.env.OPS_CACHE_DIR;
    process.env.OPS_CACHE_DIR = join(dir, 'nested');
    try {
      expect(readBackfillRequest()).toBeUndefined();
      writeBackfillRequest(request({ uids: ['a'] }));
      expect(readBackfillRequest()).toEqual(request({ uids: ['a'] }));
      writeFileSync(join(dir, 'nested', 'last-backfill.json'), '{"projectId": 1');
      expect(readBackfillRequest()).toBeUndefined();
    } finally {
      if (previous === undefined) delete process.env.OPS_CACHE_DIR;
      else process.env.OPS_CACHE_DIR = previous;
    }
  });
});

describe('ops status --watch: which request it waits for', () => {
  const overall = { projectId: 'demo-habits', dryRun: false, now: at(5_000) };

  it('waits for a recent request of the same project', () => {
    expect(requestToAwait(request(), overall)).toEqual({ kind: 'await', request: request() });
    const edge = { ...overall, now: at(RECENT_REQUEST_MS) };
    expect(requestToAwait(request(), edge).kind).toBe('await');
  });

  it.each([
    ['no request', undefined, overall],
    ['an old request', request(), { ...overall, now: at(RECENT_REQUEST_MS + 1) }],
    ['a request from the future (clock set back)', request(), { ...overall, now: at(-1_000) }],
    ['another project', request({ projectId: 'prod' }), overall],
    ['a user the request did not name', request({ uids: ['a'] }), { ...overall, uid: 'b' }],
    [
      'a dry run, watching the real run',
      request({ dryRun: true, uids: ['a'] }),
      { ...overall, uid: 'a' },
    ],
    [
      'a real run, watching the dry run',
      request({ uids: ['a'] }),
      { ...overall, uid: 'a', dryRun: true },
    ],
  ])('does not wait for %s', (_, noted, scope) => {
    expect(requestToAwait(noted, scope)).toEqual({ kind: 'none' });
  });

  it('waits for a named user, or any user under all', () => {
    const scope = { ...overall, uid: 'a' };
    expect(requestToAwait(request({ uids: ['b', 'a'] }), scope).kind).toBe('await');
    expect(requestToAwait(request(), scope).kind).toBe('await');
    const dry = request({ uids: ['a'], dryRun: true });
    expect(requestToAwait(dry, { ...scope, dryRun: true }).kind).toBe('await');
  });

  it('does not wait in the overall figures for a dry run, which they leave out', () => {
    expect(requestToAwait(request({ dryRun: true }), overall).kind).toBe('dry_run');
  });
});

describe('ops status --watch: whether the request has been answered', () => {
  const before = at(-60_000).toISOString();
  const since = at(300).toISOString();
  it.each([
    {
      name: 'not started, forced',
      state: { status: 'not_started' as const },
      force: true,
      answered: false,
    },
    {
      name: 'completed by an earlier run, forced',
      state: { status: 'completed' as const, queuedAt: before },
      force: true,
      answered: false,
    },
    {
      name: 'failed in an earlier run',
      state: { status: 'failed' as const, queuedAt: before },
      force: false,
      answered: false,
    },
    {
      name: 'completed by an earlier run, not forced',
      state: { status: 'completed' as const, queuedAt: before },
      force: false,
      answered: true,
    },
    {
      name: 'queued since',
      state: { status: 'queued' as const, queuedAt: since },
      force: true,
      answered: true,
    },
    {
      name: 'completed since',
      state: { status: 'completed' as const, queuedAt: since },
      force: true,
      answered: true,
    },
    {
      name: 'awaiting a link since',
      state: { status: 'awaiting_link' as const, queuedAt: AT },
      force: true,
      answered: true,
    },
    {
      name: 'running from before (the request leaves it alone)',
      state: { status: 'running' as const, queuedAt: before },
      force: true,
      answered: true,
    },
  ])('a user $name: answered $answered', ({ state, force, answered }) => {
    expect(userAnswered(state, request({ uids: ['a'], force }))).toBe(answered);
  });

  it('by a counter written at or after the request, not before', () => {
    expect(countersAnswered(undefined, request())).toBe(false);
    expect(countersAnswered(at(-1).getTime(), request())).toBe(false);
    expect(countersAnswered(at(0).getTime(), request())).toBe(true);
  });

  it.each([
    [{ inFlight: 2, answered: false, nowMs: 99, waitUntilMs: 10 }, 'watch'],
    [{ inFlight: 0, answered: true, nowMs: 0, waitUntilMs: 10 }, 'watch'],
    [{ inFlight: 0, answered: false, nowMs: 9, waitUntilMs: 10 }, 'wait'],
    [{ inFlight: 0, answered: false, nowMs: 10, waitUntilMs: 10 }, 'give_up'],
  ])('%j: %s', (input, step) => {
    expect(waitStep(input)).toBe(step);
  });
});

describe('ops status --watch: what it says while waiting', () => {
  it('gives the request time on the operator’s clock', () => {
    expect(clockTime(new Date(2025, 0, 2, 9, 5, 7))).toBe('09:05:07');
    const local = clockTime(new Date(AT));
    expect(waitingLine(request(), 30)).toBe(
      `waiting for the backfill requested at ${local} to queue its runs (up to 30 s)...`,
    );
  });

  it('names the likely reasons when nothing was queued', () => {
    const all = nothingQueuedLines(request({ force: false }), 30);
    expect(all[0]).toMatch(/^no run was queued within 30 s of the backfill requested at /);
    expect(all.join('\n')).toMatch(/functions are not running/);
    expect(all.join('\n')).toMatch(/backfillRolloutPercentage/);
    expect(all.join('\n')).toMatch(/already migrated stay as they are without --force/);
    const one = nothingQueuedLines(request({ uids: ['a'] }), 5, 'a');
    expect(one[0]).toMatch(/^no run of a was queued within 5 s/);
    expect(one.join('\n')).not.toMatch(/backfillRolloutPercentage|already migrated/);
  });
});
