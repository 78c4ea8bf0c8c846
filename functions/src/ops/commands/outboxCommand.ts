import type { DocumentSnapshot, Query } from 'firebase-admin/firestore';
import type { z } from 'zod';
import { uidSchema } from '../../domain/backfillMessages';
import {
  type OutboxEntry,
  outboxEntrySchema,
  type OutboxStatus,
  outboxStatuses,
} from '../../data/outbox/outboxEntry';
import { describeIssues } from '../../data/legacy/mapping/legacyValues';
import { EXIT, type OpsContext, OpsError } from '../opsContext';
import { requireKnownUser } from './userLookup';

export interface OutboxOptions {
  uid?: string;
  status?: OutboxStatus;
  /** Entries read at most, oldest first. */
  limit: number;
  json?: boolean;
}

type Print = (line: string) => void;
export type StatusCounts = Record<OutboxStatus, number>;

/** What a scan read, so a reader can tell a complete answer from one cut short by --limit. */
export interface ScanInfo {
  status: OutboxStatus | null;
  limit: number;
  scanned: number;
  /** The scan read as many entries as it was allowed to: there may be newer ones it did not see. */
  limitReached: boolean;
}

/** The two fields the overview reads of every entry. */
export type ScannedEntry = Pick<OutboxEntry, 'status' | 'updatedAt'> & { uid: string };

export interface UserBacklog extends StatusCounts {
  uid: string;
  oldestUpdatedAt: string;
  oldestAgeMs: number;
}

export interface OutboxOverview extends ScanInfo {
  totals: StatusCounts & { users: number; entries: number };
  /** Oldest backlog first: the users a stuck delivery has kept waiting longest. */
  users: UserBacklog[];
}

export type ShownEntry = Omit<OutboxEntry, 'attempts' | 'lastError'> & {
  attempts: number;
  lastError: { code: string; message: string } | null;
  ageMs: number;
};

export interface UserOutbox extends ScanInfo {
  uid: string;
  counts: StatusCounts;
  entries: ShownEntry[];
}

const noCounts = (): StatusCounts => ({ pending: 0, awaiting_link: 0, failed: 0 });

/** Clock skew between the writer and this machine must not show as a negative age. */
const ageMs = (updatedAt: string, now: Date) =>
  Math.max(0, now.getTime() - new Date(updatedAt).getTime());

/** Coarse on purpose: an operator compares backlogs of minutes with ones of days. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) return `${days}d ${hours % 24}h`;
  if (hours > 0) return `${hours}h ${minutes % 60}m`;
  if (minutes > 0) return `${minutes}m`;
  return `${Math.floor(ms / 1000)}s`;
}

/** Per user counts and the age of their oldest entry, oldest backlog first, with totals. */
export function summarizeOutbox(
  entries: readonly ScannedEntry[],
  now: Date,
  scan: ScanInfo,
): OutboxOverview {
  const byUser = new Map<string, UserBacklog>();
  const totals = { users: 0, entries: 0, ...noCounts() };
  for (const entry of entries) {
    let user = byUser.get(entry.uid);
    if (!user) {
      user = { uid: entry.uid, ...noCounts(), oldestUpdatedAt: entry.updatedAt, oldestAgeMs: 0 };
      byUser.set(entry.uid, user);
    }
    user[entry.status] += 1;
    totals[entry.status] += 1;
    totals.entries += 1;
    if (ageMs(entry.updatedAt, now) > ageMs(user.oldestUpdatedAt, now)) {
      user.oldestUpdatedAt = entry.updatedAt;
    }
  }
  const users = [...byUser.values()].map((user) => ({
    ...user,
    oldestAgeMs: ageMs(user.oldestUpdatedAt, now),
  }));
  users.sort((a, b) => b.oldestAgeMs - a.oldestAgeMs || a.uid.localeCompare(b.uid));
  totals.users = users.length;
  return { ...scan, totals, users };
}

/** One user's entries, filtered to the status asked for, oldest first. */
export function userOutbox(
  uid: string,
  entries: readonly OutboxEntry[],
  now: Date,
  scan: ScanInfo,
): UserOutbox {
  const counts = noCounts();
  const shown = entries
    .filter((entry) => scan.status === null || entry.status === scan.status)
    .map((entry): ShownEntry => ({
      ...entry,
      attempts: entry.attempts ?? 0,
      lastError: entry.lastError ?? null,
      ageMs: ageMs(entry.updatedAt, now),
    }))
    .sort((a, b) => b.ageMs - a.ageMs || a.recordName.localeCompare(b.recordName));
  for (const entry of shown) counts[entry.status] += 1;
  return { uid, ...scan, counts, entries: shown };
}

/** A failed entry is CloudKit refusing a write: a problem; pending and parked ones are waiting. */
export function outboxExitCode(counts: StatusCounts): number {
  return counts.failed > 0 ? EXIT.problem : EXIT.ok;
}

/** Columns padded to their widest cell; the last one is left ragged. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}

const countsText = (counts: StatusCounts, status: OutboxStatus | null) =>
  status !== null
    ? `${counts[status]} ${status}`
    : outboxStatuses.map((s) => `${s} ${counts[s]}`).join(', ');

const entriesText = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`;

function limitLine(scan: ScanInfo): string[] {
  return scan.limitReached
    ? [
        `stopped at the limit of ${entriesText(scan.limit)} scanned, oldest first: newer entries are not ` +
          'counted (raise --limit to see them)',
      ]
    : [];
}

export function overviewLines(overview: OutboxOverview): string[] {
  const { totals, status } = overview;
  if (totals.entries === 0) {
    return [
      `legacy outbox: no ${status === null ? '' : `${status} `}entries`,
      ...limitLine(overview),
    ];
  }
  return [
    `legacy outbox: ${entriesText(totals.entries)} for ${totals.users} ` +
      `${totals.users === 1 ? 'user' : 'users'} (${countsText(totals, status)}), ` +
      `oldest ${formatAge(overview.users[0].oldestAgeMs)}`,
    ...table([
      ['uid', ...outboxStatuses, 'oldest'],
      ...overview.users.map((user) => [
        user.uid,
        ...outboxStatuses.map((s) => String(user[s])),
        formatAge(user.oldestAgeMs),
      ]),
    ]).map((line) => `  ${line}`),
    ...limitLine(overview),
  ];
}

export function userOutboxLines(outbox: UserOutbox): string[] {
  const { uid, counts, entries, status } = outbox;
  if (entries.length === 0) {
    return [
      `${uid}: no ${status === null ? '' : `${status} `}entries in the legacy outbox`,
      ...limitLine(outbox),
    ];
  }
  return [
    `${uid}: ${entriesText(entries.length)} (${countsText(counts, status)}), ` +
      `oldest ${formatAge(entries[0].ageMs)}`,
    ...table([
      ['record', 'kind', 'status', 'age', 'attempts', 'last error'],
      ...entries.map((entry) => [
        entry.recordName,
        entry.kind,
        entry.status,
        formatAge(entry.ageMs),
        String(entry.attempts),
        entry.lastError ? `${entry.lastError.code}: ${entry.lastError.message}` : '-',
      ]),
    ]).map((line) => `  ${line}`),
    ...limitLine(outbox),
  ];
}

/** A malformed entry names itself, rather than ending the whole report in a stack trace. */
function read<T>(doc: DocumentSnapshot, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(doc.data());
  if (!parsed.success) {
    throw new OpsError(
      `${doc.ref.path} is not an outbox entry: ${describeIssues(parsed.error)}`,
      EXIT.problem,
    );
  }
  return parsed.data;
}

function scanOf(options: OutboxOptions, scanned: number): ScanInfo {
  return {
    status: options.status ?? null,
    limit: options.limit,
    scanned,
    limitReached: scanned >= options.limit,
  };
}

/** The outbox across users, or one user's entries; exit 1 when a shown entry has failed. */
export async function outbox(ctx: OpsContext, options: OutboxOptions, print: Print) {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new OpsError('--limit needs a whole number above 0', EXIT.usage);
  }
  const now = new Date();
  if (options.uid !== undefined) {
    const uid = uidSchema.safeParse(options.uid);
    if (!uid.success) {
      const problems = uid.error.issues.map((issue) => issue.message).join('; ');
      throw new OpsError(`uid: ${problems}`, EXIT.usage);
    }
    await requireKnownUser(ctx.db, uid.data);
    // Ordered only by updatedAt: the default single-field index, so no composite index per user.
    // The status filter is applied to what was read, so --limit counts every entry scanned.
    const snap = await ctx.db
      .collection(`users/${uid.data}/legacyOutbox`)
      .orderBy('updatedAt')
      .limit(options.limit)
      .get();
    const entries = snap.docs.map((doc) => read(doc, outboxEntrySchema));
    const report = userOutbox(uid.data, entries, now, scanOf(options, snap.size));
    if (options.json) print(JSON.stringify(report));
    else userOutboxLines(report).forEach((line) => print(line));
    return outboxExitCode(report.counts);
  }
  // `status in [...]` even with no --status: it is what lets the collection-group (status,
  // updatedAt) index order the scan, so a scan cut short by --limit keeps the oldest entries.
  const query: Query = ctx.db
    .collectionGroup('legacyOutbox')
    .where('status', 'in', options.status ? [options.status] : [...outboxStatuses])
    .orderBy('updatedAt')
    .select('status', 'updatedAt')
    .limit(options.limit);
  const snap = await query.get();
  const scanned = outboxEntrySchema.pick({ status: true, updatedAt: true });
  const entries = snap.docs.flatMap((doc): ScannedEntry[] => {
    const user = doc.ref.parent.parent;
    // A legacyOutbox collection outside users/{uid} is nothing the backend wrote.
    return user?.parent.id !== 'users' ? [] : [{ uid: user.id, ...read(doc, scanned) }];
  });
  const overview = summarizeOutbox(entries, now, scanOf(options, snap.size));
  if (options.json) print(JSON.stringify(overview));
  else overviewLines(overview).forEach((line) => print(line));
  return outboxExitCode(overview.totals);
}
