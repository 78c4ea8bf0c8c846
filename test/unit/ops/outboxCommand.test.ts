import type { OutboxEntry } from '../../../functions/src/data/outbox/outboxEntry';
import {
  formatAge,
  outboxExitCode,
  overviewLines,
  type ScanInfo,
  summarizeOutbox,
  userOutbox,
  userOutboxLines,
} from '../../../functions/src/ops/commands/outboxCommand';
import { EXIT } from '../../../functions/src/ops/opsContext';

const NOW = new Date('2025-06-10T12:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

const scan = (overrides: Partial<ScanInfo> = {}): ScanInfo => ({
  status: null,
  limit: 1000,
  scanned: 0,
  limitReached: false,
  ...overrides,
});

function entry(overrides: Partial<OutboxEntry> & Pick<OutboxEntry, 'id'>): OutboxEntry {
  return {
    recordName: `CD_Habit_${overrides.id}`,
    kind: 'habit',
    status: 'awaiting_link',
    createdAt: ago(DAY),
    updatedAt: ago(HOUR),
    ...overrides,
  };
}

describe('ops outbox: ages', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [MINUTE, '1m'],
    [59 * MINUTE, '59m'],
    [HOUR + 5 * MINUTE, '1h 5m'],
    [3 * DAY + 2 * HOUR + 59 * MINUTE, '3d 2h'],
    [Number.NaN, 'unknown'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('ops outbox: the overview across users', () => {
  const entries = [
    { uid: 'recent', status: 'pending' as const, updatedAt: ago(2 * MINUTE) },
    { uid: 'parked', status: 'awaiting_link' as const, updatedAt: ago(2 * DAY) },
    { uid: 'parked', status: 'awaiting_link' as const, updatedAt: ago(3 * DAY + HOUR) },
    { uid: 'parked', status: 'failed' as const, updatedAt: ago(HOUR) },
    { uid: 'refused', status: 'failed' as const, updatedAt: ago(5 * HOUR) },
  ];

  it('counts per user and status, oldest backlog first, with totals', () => {
    const overview = summarizeOutbox(entries, NOW, scan({ scanned: 5 }));

    expect(overview.users).toEqual([
      {
        uid: 'parked',
        pending: 0,
        awaiting_link: 2,
        failed: 1,
        oldestUpdatedAt: ago(3 * DAY + HOUR),
        oldestAgeMs: 3 * DAY + HOUR,
      },
      {
        uid: 'refused',
        pending: 0,
        awaiting_link: 0,
        failed: 1,
        oldestUpdatedAt: ago(5 * HOUR),
        oldestAgeMs: 5 * HOUR,
      },
      {
        uid: 'recent',
        pending: 1,
        awaiting_link: 0,
        failed: 0,
        oldestUpdatedAt: ago(2 * MINUTE),
        oldestAgeMs: 2 * MINUTE,
      },
    ]);
    expect(overview.totals).toEqual({
      users: 3,
      entries: 5,
      pending: 1,
      awaiting_link: 2,
      failed: 2,
    });
    expect(overview).toMatchObject({ scanned: 5, limit: 1000, limitReached: false });
  });

  it('prints a line of totals and a table, and exits 1 when an entry failed', () => {
    const overview = summarizeOutbox(entries, NOW, scan({ scanned: 5 }));

    expect(overviewLines(overview)).toEqual([
      'legacy outbox: 5 entries for 3 users (pending 1, awaiting_link 2, failed 2), oldest 3d 1h',
      '  uid      pending  awaiting_link  failed  oldest',
      '  parked   0        2              1       3d 1h',
      '  refused  0        0              1       5h 0m',
      '  recent   1        0              0       2m',
    ]);
    expect(outboxExitCode(overview.totals)).toBe(EXIT.problem);
  });

  it('says when the scan stopped at --limit, so counts are known to be partial', () => {
    const overview = summarizeOutbox(
      entries.slice(1, 3),
      NOW,
      scan({ limit: 2, scanned: 2, limitReached: true }),
    );

    const lines = overviewLines(overview);

    expect(lines[0]).toBe(
      'legacy outbox: 2 entries for 1 user (pending 0, awaiting_link 2, failed 0), oldest 3d 1h',
    );
    expect(lines.at(-1)).toMatch(/stopped at the limit of 2 entries scanned.*--limit/);
    expect(outboxExitCode(overview.totals)).toBe(EXIT.ok);
  });

  it('names only the status asked for', () => {
    const failed = entries.filter((e) => e.status === 'failed');
    const overview = summarizeOutbox(failed, NOW, scan({ status: 'failed', scanned: 2 }));

    expect(overviewLines(overview)[0]).toBe(
      'legacy outbox: 2 entries for 2 users (2 failed), oldest 5h 0m',
    );
  });

  it('says so when the outbox is empty, and exits 0', () => {
    const empty = summarizeOutbox([], NOW, scan());
    expect(overviewLines(empty)).toEqual(['legacy outbox: no entries']);
    expect(outboxExitCode(empty.totals)).toBe(EXIT.ok);
    const noFailed = summarizeOutbox([], NOW, scan({ status: 'failed' }));
    expect(overviewLines(noFailed)).toEqual(['legacy outbox: no failed entries']);
    const cutShort = summarizeOutbox([], NOW, scan({ limit: 1, scanned: 1, limitReached: true }));
    expect(overviewLines(cutShort)[1]).toMatch(/stopped at the limit of 1 entry scanned/);
  });

  it('never shows a negative age for an entry written by a clock ahead of this one', () => {
    const ahead = summarizeOutbox(
      [{ uid: 'u', status: 'pending', updatedAt: ago(-5 * MINUTE) }],
      NOW,
      scan({ scanned: 1 }),
    );
    expect(ahead.users[0].oldestAgeMs).toBe(0);
  });
});

describe("ops outbox --uid: one user's entries", () => {
  const entries = [
    entry({ id: 'new', status: 'pending', updatedAt: ago(30_000) }),
    entry({
      id: 'refused',
      status: 'failed',
      updatedAt: ago(2 * HOUR),
      attempts: 3,
      lastError: { code: 'rejected', message: 'CloudKit refused the record' },
    }),
    entry({ id: 'parked', kind: 'completion', recordName: 'CD_Completion_parked' }),
  ];

  it('lists them oldest first, with attempts and the last error', () => {
    const outbox = userOutbox('u1', entries, NOW, scan({ scanned: 3 }));

    expect(outbox.entries.map((e) => [e.id, e.ageMs, e.attempts, e.lastError])).toEqual([
      ['refused', 2 * HOUR, 3, { code: 'rejected', message: 'CloudKit refused the record' }],
      ['parked', HOUR, 0, null],
      ['new', 30_000, 0, null],
    ]);
    expect(outbox.counts).toEqual({ pending: 1, awaiting_link: 1, failed: 1 });
    expect(userOutboxLines(outbox)).toEqual([
      'u1: 3 entries (pending 1, awaiting_link 1, failed 1), oldest 2h 0m',
      '  record                kind        status         age    attempts  last error',
      '  CD_Habit_refused      habit       failed         2h 0m  3         rejected: CloudKit refused the record',
      '  CD_Completion_parked  completion  awaiting_link  1h 0m  0         -',
      '  CD_Habit_new          habit       pending        30s    0         -',
    ]);
    expect(outboxExitCode(outbox.counts)).toBe(EXIT.problem);
  });

  it('filters by status after the scan, and exits 0 when no shown entry failed', () => {
    const outbox = userOutbox('u1', entries, NOW, scan({ status: 'awaiting_link', scanned: 3 }));

    expect(outbox.entries.map((e) => e.id)).toEqual(['parked']);
    expect(outbox.scanned).toBe(3);
    expect(userOutboxLines(outbox)[0]).toBe('u1: 1 entry (1 awaiting_link), oldest 1h 0m');
    expect(outboxExitCode(outbox.counts)).toBe(EXIT.ok);
  });

  it('says when a user has nothing waiting', () => {
    expect(userOutboxLines(userOutbox('u1', [], NOW, scan()))).toEqual([
      'u1: no entries in the legacy outbox',
    ]);
    expect(
      userOutboxLines(userOutbox('u1', entries.slice(0, 1), NOW, scan({ status: 'failed' }))),
    ).toEqual(['u1: no failed entries in the legacy outbox']);
  });
});
