import { randomUUID } from 'node:crypto';
import type { OutboxEntry } from '../../../functions/src/data/outbox/outboxEntry';
import { legacyRecordName } from '../../../functions/src/data/legacy/legacyRecords';
import type { OutboxOverview, UserOutbox } from '../../../functions/src/ops/commands/outboxCommand';
import { adminDb } from '../support/admin';
import { ops } from '../support/opsCli';

const DAY = 24 * 60 * 60_000;

// Far in the past, so these are the oldest entries in the emulator whatever other tests left, and
// an outbox scan cut short by --limit still reaches them.
const longAgo = (days: number) => new Date(Date.UTC(2001, 0, 1) - days * DAY).toISOString();

const parked = `ops-outbox-parked-${randomUUID()}`;
const refused = `ops-outbox-refused-${randomUUID()}`;
const habitId = randomUUID();
const completionId = randomUUID();

// Never 'pending': the running functions emulator would deliver such an entry at once.
const seeded: [string, OutboxEntry][] = [
  [
    parked,
    {
      recordName: legacyRecordName('habit', habitId),
      kind: 'habit',
      id: habitId,
      status: 'awaiting_link',
      createdAt: longAgo(3),
      updatedAt: longAgo(3),
      attempts: 0,
      lastError: null,
    },
  ],
  [
    parked,
    {
      recordName: legacyRecordName('completion', completionId),
      kind: 'completion',
      id: completionId,
      status: 'awaiting_link',
      createdAt: longAgo(2),
      updatedAt: longAgo(2),
    },
  ],
  [
    refused,
    {
      recordName: legacyRecordName('habit', habitId),
      kind: 'habit',
      id: habitId,
      status: 'failed',
      createdAt: longAgo(2),
      updatedAt: longAgo(2),
      attempts: 3,
      lastError: { code: 'rejected', message: 'CloudKit refused the record' },
    },
  ],
  [
    refused,
    {
      recordName: legacyRecordName('completion', completionId),
      kind: 'completion',
      id: completionId,
      status: 'awaiting_link',
      createdAt: longAgo(1),
      updatedAt: longAgo(1),
    },
  ],
];

const entryRef = (uid: string, entry: OutboxEntry) =>
  adminDb().doc(`users/${uid}/legacyOutbox/${entry.recordName}`);

beforeAll(async () => {
  await Promise.all(seeded.map(([uid, entry]) => entryRef(uid, entry).set(entry)));
});

// Old failed entries left behind would be re-driven (as pending) by the sweep another test runs.
afterAll(async () => {
  await Promise.all(seeded.map(([uid, entry]) => entryRef(uid, entry).delete()));
});

describe('ops outbox', () => {
  it("lists one user's entries oldest first, and exits 1 when one of them failed", async () => {
    const run = await ops(['outbox', '--uid', refused]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^${refused}: 2 entries \\(pending 0, awaiting_link 1, failed 1\\), oldest \\d+d`),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `CD_Habit_${habitId}\\s+habit\\s+failed\\s+\\d+d \\d+h\\s+3\\s+rejected: CloudKit refused the record$`,
      ),
    );
    expect(lines[3]).toMatch(
      new RegExp(`CD_Completion_${completionId}\\s+completion\\s+awaiting_link\\s+.*\\s0\\s+-$`),
    );
  });

  it('exits 0 for a user whose entries only wait for a link, or when failed ones are filtered out', async () => {
    const waiting = await ops(['outbox', '--uid', parked]);
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toContain(`${parked}: 2 entries (pending 0, awaiting_link 2, failed 0)`);

    const filtered = await ops(['outbox', '--uid', refused, '--status', 'awaiting_link', '--json']);
    expect(filtered.code).toBe(0);
    const report = JSON.parse(filtered.stdout) as UserOutbox;
    expect(report).toMatchObject({
      uid: refused,
      status: 'awaiting_link',
      scanned: 2,
      counts: { pending: 0, awaiting_link: 1, failed: 0 },
    });
    expect(report.entries.map((e) => e.recordName)).toEqual([`CD_Completion_${completionId}`]);
  });

  it('summarizes every user with entries as JSON, oldest backlog first', async () => {
    const run = await ops(['outbox', '--json']);

    expect(run.code).toBe(1); // the refused user's entry failed
    const overview = JSON.parse(run.stdout) as OutboxOverview;
    expect(overview).toMatchObject({ status: null, limit: 1000 });
    const uids = overview.users.map((user) => user.uid);
    expect(uids.indexOf(parked)).toBeGreaterThanOrEqual(0);
    expect(uids.indexOf(parked)).toBeLessThan(uids.indexOf(refused));
    expect(overview.users.find((user) => user.uid === parked)).toMatchObject({
      pending: 0,
      awaiting_link: 2,
      failed: 0,
      oldestUpdatedAt: longAgo(3),
    });
    expect(overview.users.find((user) => user.uid === refused)).toMatchObject({
      pending: 0,
      awaiting_link: 1,
      failed: 1,
      oldestUpdatedAt: longAgo(2),
    });
    expect(overview.totals.failed).toBeGreaterThanOrEqual(1);
    expect(overview.totals.awaiting_link).toBeGreaterThanOrEqual(3);
  });

  it('stops at --limit, oldest entries first, and says so', async () => {
    const json = await ops(['outbox', '--limit', '1', '--json']);
    const overview = JSON.parse(json.stdout) as OutboxOverview;
    expect(overview).toMatchObject({ limit: 1, scanned: 1, limitReached: true });
    expect(overview.users).toEqual([
      expect.objectContaining({ uid: parked, awaiting_link: 1, oldestUpdatedAt: longAgo(3) }),
    ]);
    expect(json.code).toBe(0);

    const text = await ops(['outbox', '--limit', '1']);
    expect(text.stdout).toMatch(/stopped at the limit of 1 entry scanned/);

    const failed = await ops(['outbox', '--status', 'failed', '--json']);
    const onlyFailed = JSON.parse(failed.stdout) as OutboxOverview;
    expect(failed.code).toBe(1);
    expect(onlyFailed.totals).toMatchObject({ pending: 0, awaiting_link: 0 });
    expect(onlyFailed.users.map((user) => user.uid)).toContain(refused);
    expect(onlyFailed.users.map((user) => user.uid)).not.toContain(parked);
  });

  it.each([
    [['outbox', '--status', 'lost'], 2, /--status.*pending, awaiting_link, failed/s],
    [['outbox', '--limit', '0'], 2, /--limit.*above 0/s],
    [['outbox', '--uid', 'a/b'], 2, /uid: must not contain "\/"/],
    [['outbox', '--uid', `nobody-${randomUUID()}`], 4, /unknown user nobody-/],
  ])('refuses %j with exit code %d and says why', async (args, code, message) => {
    const run = await ops(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });
});
