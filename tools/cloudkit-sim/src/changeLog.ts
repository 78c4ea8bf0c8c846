import { existsSync, readFileSync } from 'node:fs';
import { isObject } from './httpIo';
import type { SimStore, StoreChanges } from './store';
import { applyStoredUser, isStoredUser, storedUser, type StoredUser } from './storedUser';

/**
 * The log beside a snapshot: a header line naming the snapshot it continues, then one line per
 * request that changed something, holding each changed user's fields and written entries. One
 * line per request keeps a request all or nothing: a crash can only tear the line being written.
 */
const LOG_FORMAT = 'cloudkit-sim-log/1';

interface LogHeader {
  format: typeof LOG_FORMAT;
  generation: string;
}

interface LogCommit {
  users: StoredUser[];
}

export const logFileOf = (dataFile: string): string => `${dataFile}.log`;

export const logHeader = (generation: string): string =>
  `${JSON.stringify({ format: LOG_FORMAT, generation } satisfies LogHeader)}\n`;

/** Undefined when the changes need a full snapshot instead (see StoreChanges.all). */
export function commitLine(store: SimStore, changes: StoreChanges): string | undefined {
  if (changes.all) return undefined;
  const users: StoredUser[] = [];
  for (const [uid, names] of changes.users) {
    const user = store.users.get(uid);
    if (user) users.push(storedUser(user, names));
  }
  return `${JSON.stringify({ users } satisfies LogCommit)}\n`;
}

export type LogReplay =
  | { kind: 'absent' }
  /** Written for another snapshot: a compaction got as far as the snapshot, or it was replaced. */
  | { kind: 'stale'; generation: string; changes: number }
  /** `bytes`: the whole lines read, `commitBytes` those after the header; then `tornBytes` of a cut write. */
  | { kind: 'replayed'; bytes: number; commitBytes: number; tornBytes: number };

/**
 * Applies the log to a store just read from the snapshot named `generation`. Only the last line
 * may be incomplete (a write cut short by a crash, so never acknowledged): it is ignored with a
 * warning. Any other bad line is an error, since skipping it would lose acknowledged writes.
 */
export function replayLog(
  file: string,
  generation: string | undefined,
  store: SimStore,
): LogReplay {
  if (!existsSync(file)) return { kind: 'absent' };
  const data = readFileSync(file);
  const bytes = data.lastIndexOf(0x0a) + 1;
  const tornBytes = data.length - bytes;
  if (tornBytes > 0) {
    process.stderr.write(
      `cloudkit-sim: ${file}: ignoring an incomplete last line (${tornBytes} bytes), a write cut short\n`,
    );
  }
  const lines = data.subarray(0, bytes).toString('utf8').split('\n');
  lines.pop();
  if (lines.length === 0) return { kind: 'absent' };

  const header = parseLine(file, lines[0], 1);
  if (!isObject(header) || header.format !== LOG_FORMAT || typeof header.generation !== 'string') {
    const format = isObject(header) ? header.format : undefined;
    throw new Error(`${file} is not a cloudkit-sim log (format ${String(format)})`);
  }
  if (header.generation !== generation) {
    return { kind: 'stale', generation: header.generation, changes: lines.length - 1 };
  }

  for (let i = 1; i < lines.length; i += 1) {
    const commit = parseLine(file, lines[i], i + 1);
    if (!isObject(commit) || !Array.isArray(commit.users) || !commit.users.every(isStoredUser)) {
      throw new Error(`${file}:${i + 1}: not a cloudkit-sim log line`);
    }
    for (const user of commit.users) applyStoredUser(store, user);
  }
  store.takeChanges();
  return {
    kind: 'replayed',
    bytes,
    commitBytes: bytes - Buffer.byteLength(lines[0]) - 1,
    tornBytes,
  };
}

function parseLine(file: string, line: string, lineNo: number): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new Error(`${file}:${lineNo}: corrupt line (${(err as Error).message})`);
  }
}
