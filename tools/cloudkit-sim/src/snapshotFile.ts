import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SimStore } from './store';
import { applyStoredUser, storedUser, type StoredUser } from './storedUser';

// Version 2 added the log beside the snapshot. A simulator that knows only version 1 would load
// the snapshot and never read the log, so it must refuse a version 2 file rather than lose data.
const FORMAT = 'cloudkit-sim/2';
const FORMAT_WITHOUT_LOG = 'cloudkit-sim/1';

interface Snapshot {
  format: typeof FORMAT | typeof FORMAT_WITHOUT_LOG;
  /** Names this snapshot; only a log that names it too continues it (absent in version 1). */
  generation?: string;
  tokenSecret: string;
  users: StoredUser[];
}

export interface LoadedSnapshot {
  store: SimStore;
  generation: string | undefined;
  bytes: number;
}

/** Undefined when the file is missing; an unreadable one is an error, never silently discarded data. */
export function readSnapshot(file: string): LoadedSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const snapshot = JSON.parse(bytes.toString('utf8')) as Snapshot;
  if (snapshot.format !== FORMAT && snapshot.format !== FORMAT_WITHOUT_LOG) {
    throw new Error(`${file} is not a cloudkit-sim data file (format ${String(snapshot.format)})`);
  }
  const store = new SimStore();
  store.tokenSecret = snapshot.tokenSecret;
  for (const saved of snapshot.users) applyStoredUser(store, saved);
  store.takeChanges();
  return { store, generation: snapshot.generation, bytes: bytes.length };
}

/** Temp file then rename: a crash mid-write leaves the previous complete file, never half of one. */
export function writeSnapshot(file: string, store: SimStore, generation: string): number {
  const snapshot: Snapshot = {
    format: FORMAT,
    generation,
    tokenSecret: store.tokenSecret,
    users: [...store.users.values()].map((user) => storedUser(user)),
  };
  const text = JSON.stringify(snapshot);
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
  return Buffer.byteLength(text);
}
