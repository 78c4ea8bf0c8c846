import { isObject } from './httpIo';
import type { SimStore, SimUser } from './store';
import type { CkRecord } from './types';

/** One entry as the data files hold it; `r` absent = tombstone. */
export interface StoredEntry {
  n: string;
  s: number;
  r?: CkRecord;
}

/**
 * A user as both the snapshot and the log hold it: the store's fields, and entries as a list in
 * seq order. A snapshot lists every entry, a log line only those the request wrote.
 */
export interface StoredUser extends Omit<SimUser, 'entries'> {
  entries: StoredEntry[];
}

/** `names` limits the entries to those (in seq order); without it, all of them. */
export function storedUser(user: SimUser, names?: ReadonlySet<string>): StoredUser {
  const { entries, ...fields } = user;
  const picked = names
    ? [...names].flatMap((n) => {
        const entry = entries.get(n);
        return entry ? [[n, entry] as const] : [];
      })
    : [...entries];
  if (names) picked.sort((a, b) => a[1].seq - b[1].seq);
  return {
    ...fields,
    entries: picked.map(([n, e]) => ({ n, s: e.seq, ...(e.record && { r: e.record }) })),
  };
}

/**
 * Merges a stored user into the store. Counters only move forward and an entry older than the
 * one held is skipped, so applying the same line twice (or one already in the snapshot) is a no-op.
 */
export function applyStoredUser(store: SimStore, saved: StoredUser): void {
  const { entries, ...fields } = saved;
  let user = store.users.get(saved.uid);
  if (!user || user.epoch !== saved.epoch) {
    user = { ...fields, entries: new Map() };
    store.users.set(user.uid, user);
  } else {
    user.seq = Math.max(user.seq, fields.seq);
    user.tokenGeneration = Math.max(user.tokenGeneration, fields.tokenGeneration);
  }
  for (const e of entries) {
    const held = user.entries.get(e.n);
    if (held && held.seq >= e.s) continue;
    // Delete first: the map's iteration order must stay seq order (see SimUser.entries).
    user.entries.delete(e.n);
    user.entries.set(e.n, { seq: e.s, ...(e.r && { record: e.r }) });
  }
}

/** Enough of a shape check that a damaged line is refused rather than half applied. */
export function isStoredUser(value: unknown): value is StoredUser {
  return (
    isObject(value) &&
    typeof value.uid === 'string' &&
    typeof value.userRecordName === 'string' &&
    typeof value.epoch === 'string' &&
    typeof value.seq === 'number' &&
    typeof value.tokenGeneration === 'number' &&
    typeof value.registeredAt === 'number' &&
    Array.isArray(value.entries) &&
    value.entries.every(
      (e) =>
        isObject(e) &&
        typeof e.n === 'string' &&
        typeof e.s === 'number' &&
        (e.r === undefined || isObject(e.r)),
    )
  );
}
