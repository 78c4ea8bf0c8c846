import { createHash, randomBytes } from 'node:crypto';
import type { CkRecord } from './types';

/** The latest state of one record; no `record` means it was deleted (a tombstone for records/changes). */
export interface Entry {
  seq: number;
  record?: CkRecord;
}

export interface SimUser {
  uid: string;
  userRecordName: string;
  /** New whenever the user is created, so sync tokens from a wiped store are refused, not misread. */
  epoch: string;
  /** Last change sequence number handed out in this user's private database. */
  seq: number;
  /** Bumped to expire every web auth token minted for the user so far. */
  tokenGeneration: number;
  registeredAt: number;
  /** Iteration order is seq order: every write deletes and re-inserts the entry. */
  entries: Map<string, Entry>;
}

export interface Change {
  recordName: string;
  seq: number;
  record?: CkRecord;
}

/**
 * What changed since the last `takeChanges`, so persistence can log just that. `all` means a
 * change no per-user list can describe (a reset, a new secret): only a full snapshot will do.
 */
export interface StoreChanges {
  all: boolean;
  /** uid -> names of the records written; an empty set: only the user's own fields changed. */
  users: Map<string, Set<string>>;
}

/**
 * All simulated CloudKit state. Single-threaded Node makes every request's mutations atomic, so
 * there is no locking; `takeChanges` tells the server what the data file must add.
 */
export class SimStore {
  readonly users = new Map<string, SimUser>();
  tokenSecret = newSecret();
  private changes: StoreChanges = noChanges();

  createUser(uid: string, userRecordName?: string): SimUser {
    const existing = this.users.get(uid);
    if (existing) return existing;
    const user: SimUser = {
      uid,
      userRecordName: userRecordName ?? defaultUserRecordName(uid),
      epoch: randomBytes(6).toString('hex'),
      seq: 0,
      tokenGeneration: 0,
      registeredAt: Date.now(),
      entries: new Map(),
    };
    this.users.set(uid, user);
    this.changedUser(uid);
    return user;
  }

  /** Users in the public database's stable order (by firebaseUid). */
  sortedUsers(): SimUser[] {
    return [...this.users.values()].sort((a, b) => compare(a.uid, b.uid));
  }

  liveRecord(user: SimUser, recordName: string): CkRecord | undefined {
    return user.entries.get(recordName)?.record;
  }

  liveRecords(user: SimUser): CkRecord[] {
    const records: CkRecord[] = [];
    for (const entry of user.entries.values()) if (entry.record) records.push(entry.record);
    return records;
  }

  /** Saves (or with `undefined`, deletes) a record's latest state under the user's next seq. */
  write(user: SimUser, recordName: string, record: CkRecord | undefined): number {
    user.seq += 1;
    user.entries.delete(recordName);
    user.entries.set(recordName, { seq: user.seq, ...(record && { record }) });
    this.changedUser(user.uid).add(recordName);
    return user.seq;
  }

  changesAfter(user: SimUser, afterSeq: number, limit: number): Change[] {
    const changes: Change[] = [];
    for (const [recordName, entry] of user.entries) {
      if (entry.seq <= afterSeq) continue;
      changes.push({ recordName, seq: entry.seq, record: entry.record });
      if (changes.length === limit) break;
    }
    return changes;
  }

  expireTokens(uid?: string): void {
    for (const user of this.users.values()) {
      if (uid === undefined || user.uid === uid) {
        user.tokenGeneration += 1;
        this.changedUser(user.uid);
      }
    }
  }

  /** A new secret invalidates every token minted before the wipe, even for re-created uids. */
  reset(): void {
    this.users.clear();
    this.tokenSecret = newSecret();
    this.changes.all = true;
  }

  /** Everything counts as changed: the next save writes a full snapshot. */
  markDirty(): void {
    this.changes.all = true;
  }

  /** The changes since the last call (undefined: none), and starts collecting afresh. */
  takeChanges(): StoreChanges | undefined {
    const taken = this.changes;
    this.changes = noChanges();
    return taken.all || taken.users.size > 0 ? taken : undefined;
  }

  private changedUser(uid: string): Set<string> {
    let names = this.changes.users.get(uid);
    if (!names) this.changes.users.set(uid, (names = new Set()));
    return names;
  }
}

const noChanges = (): StoreChanges => ({ all: false, users: new Map() });

const newSecret = (): string => randomBytes(32).toString('hex');

/** Shaped like CloudKit's (`_` + 32 hex digits) and stable per uid, so test fixtures can predict it. */
export function defaultUserRecordName(uid: string): string {
  return `_${createHash('md5').update(uid).digest('hex')}`;
}

// Plain code-unit order: locale-independent, so pages are identical on every machine.
export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
