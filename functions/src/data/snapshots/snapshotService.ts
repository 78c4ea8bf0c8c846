import { LRUCache } from 'lru-cache';
import { localDayAt } from '../../domain/localDay';
import type { Telemetry } from '../../telemetry/telemetryEvents';
import type { FirestoreSnapshotReader } from './firestoreSnapshotReader';
import type { DatedSnapshot, UserSnapshot } from './userSnapshot';

export type SnapshotAnswer = UserSnapshot | { version: number; notModified: true };

export interface SnapshotServiceOptions {
  /** Snapshots kept per instance; the oldest used goes first. */
  maxEntries: number;
  /** For a user Firestore knows nothing of yet: their data from the legacy store, if any. */
  legacy: (uid: string, version: number) => Promise<UserSnapshot | undefined>;
  clock?: () => Date;
}

/**
 * `snapshot-get`. Whether anything changed costs one document read (meta/sync), and so does a
 * repeated request this instance has answered before: snapshots are cached by user and version,
 * and every write of user data bumps the version in its own commit, so an entry is never stale;
 * it is only ever unreachable. Nothing needs invalidating.
 */
export class SnapshotService {
  private readonly cache: LRUCache<string, DatedSnapshot>;
  private readonly clock: () => Date;

  constructor(
    private readonly reader: FirestoreSnapshotReader,
    private readonly telemetry: Telemetry,
    private readonly options: SnapshotServiceOptions,
  ) {
    this.cache = new LRUCache({ max: options.maxEntries });
    this.clock = options.clock ?? (() => new Date());
  }

  async get(uid: string, sinceVersion: number | undefined): Promise<SnapshotAnswer> {
    const version = await this.reader.version(uid);
    // Version 0 is a user with nothing in Firestore, whose answer comes from the legacy store:
    // that can change without the version moving, so it is never "not modified".
    if (sinceVersion === version && version > 0) {
      this.telemetry.record('snapshotCache', 'notModified', { uid });
      return { version, notModified: true };
    }
    const cached = this.cache.get(key(uid, version));
    // A cached snapshot is of its local day: past midnight the streaks and the window move on.
    if (cached && cached.localDay === localDayAt(this.clock(), cached.snapshot.settings.timeZone)) {
      this.telemetry.record('snapshotCache', 'hit', { uid });
      return cached.snapshot;
    }
    const fresh = await this.reader.read(uid);
    this.telemetry.record('snapshotCache', 'miss', { uid });
    if (fresh.snapshot.habits.length === 0 && fresh.snapshot.progress.totalXp === 0) {
      const legacy = await this.options.legacy(uid, fresh.snapshot.version);
      if (legacy) return legacy;
    }
    this.cache.set(key(uid, fresh.snapshot.version), fresh);
    return fresh.snapshot;
  }
}

const key = (uid: string, version: number) => `${uid}@${version}`;
