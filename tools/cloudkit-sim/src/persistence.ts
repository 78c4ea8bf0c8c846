import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SimStore, type SimUser } from './store';
import type { CkRecord } from './types';

const FORMAT = 'cloudkit-sim/1';

/** A user as the file holds it: the same fields, with the entries as a list. */
interface SnapshotUser extends Omit<SimUser, 'entries'> {
  /** In seq order; `r` absent = tombstone. */
  entries: Array<{ n: string; s: number; r?: CkRecord }>;
}

interface Snapshot {
  format: typeof FORMAT;
  tokenSecret: string;
  users: SnapshotUser[];
}

/** A missing file is an empty store; an unreadable one is an error, never silently discarded data. */
export function loadStore(file: string | undefined): SimStore {
  const store = new SimStore();
  if (!file || !existsSync(file)) return store;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  if (snapshot.format !== FORMAT) {
    throw new Error(`${file} is not a cloudkit-sim data file (format ${String(snapshot.format)})`);
  }
  store.tokenSecret = snapshot.tokenSecret;
  for (const saved of snapshot.users) {
    const entries = new Map(
      saved.entries.map((e) => [e.n, { seq: e.s, ...(e.r && { record: e.r }) }]),
    );
    const user: SimUser = { ...saved, entries };
    store.users.set(user.uid, user);
  }
  store.takeDirty();
  return store;
}

/** Temp file then rename: a crash mid-write leaves the previous complete file, never half of one. */
export function saveStore(file: string, store: SimStore): void {
  const snapshot: Snapshot = {
    format: FORMAT,
    tokenSecret: store.tokenSecret,
    users: [...store.users.values()].map(({ entries, ...user }) => ({
      ...user,
      entries: [...entries].map(([n, e]) => ({ n, s: e.seq, ...(e.record && { r: e.record }) })),
    })),
  };
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(snapshot));
  renameSync(temp, file);
}
