import { closeSync, openSync, renameSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { commitLine, logFileOf, logHeader, replayLog } from './changeLog';
import { readSnapshot, writeSnapshot } from './snapshotFile';
import { SimStore } from './store';

/** Below this the log is never compacted: rewriting a small snapshot often would gain little. */
const MIN_COMPACT_BYTES = 4 * 1024 * 1024;

export interface PersistenceOptions {
  /**
   * Log size that triggers a compaction. By default the larger of 4 MiB and the snapshot's size,
   * so snapshot rewrites cost at most about one byte per byte logged, however big the store.
   */
  compactAtBytes?: number;
}

/** The store and where its changes go: a data file, or (no file) nowhere. */
export interface PersistedStore {
  store: SimStore;
  /** Writes what changed since the last call; it is on disk (not synced) when this returns. */
  save(): void;
  /** Saves, folds the log into the snapshot and lets go of the file. */
  close(): void;
}

/** A missing data file is an empty store, whatever log lies beside it (see DataFile.open). */
export function openStore(
  file: string | undefined,
  options: PersistenceOptions = {},
): PersistedStore {
  if (file) return DataFile.open(file, options);
  const store = new SimStore();
  return { store, save: () => void store.takeChanges(), close: () => void store.takeChanges() };
}

/**
 * A snapshot (`file`) plus an append-only log (`file.log`) of the requests since. Each save
 * appends one line, so its cost follows the request's size, not the store's; a compaction
 * rewrites the snapshot under a new generation name and starts a new log naming it.
 *
 * Crash safety of a compaction: the new snapshot lands by rename, then a fresh log replaces the
 * old one by rename. A crash in between leaves the old log naming the old generation, so loading
 * skips it, and everything in it is in the new snapshot already.
 */
class DataFile implements PersistedStore {
  private fd: number | undefined;
  /** After a failed write: the log may end in a partial line and may miss a change. */
  private mustCompact = false;
  private readonly log: string;

  private constructor(
    private readonly file: string,
    readonly store: SimStore,
    /** Undefined until there is a snapshot a log can name (none yet, or a version 1 file). */
    private generation: string | undefined,
    /** Whether `log` has this generation's header, so lines can be appended to it. */
    private logStarted: boolean,
    /** Bytes of change lines in the log, the header not counted. */
    private logBytes: number,
    private snapshotBytes: number,
    private readonly options: PersistenceOptions,
  ) {
    this.log = logFileOf(file);
  }

  static open(file: string, options: PersistenceOptions): DataFile {
    const snapshot = readSnapshot(file);
    const store = snapshot?.store ?? new SimStore();
    const generation = snapshot?.generation;
    const log = logFileOf(file);
    const replay = replayLog(log, generation, store);
    // Removed rather than left for startLog to replace, so a restart before any write warns once.
    // A log of another generation is never replayed: after a reset its users' old entries would
    // come back to life under the new users of the same uid.
    if (replay.kind === 'stale') {
      // A header alone (what a graceful close leaves) holds nothing to warn about.
      if (replay.changes > 0) {
        process.stderr.write(
          snapshot
            ? `cloudkit-sim: ${log} belongs to an earlier ${file} (left by a compaction cut short, whose snapshot holds its changes): removing it\n`
            : `cloudkit-sim: ${file} is missing, so the store starts empty; removing ${log}, which belonged to it\n`,
        );
      }
      rmSync(log, { force: true });
    } else if (replay.kind === 'replayed') {
      // Later lines must not follow the torn bytes, or the next load would see a corrupt middle line.
      if (replay.tornBytes > 0) truncateSync(log, replay.bytes);
    }
    const replayed = replay.kind === 'replayed';
    const logBytes = replayed ? replay.commitBytes : 0;
    return new DataFile(file, store, generation, replayed, logBytes, snapshot?.bytes ?? 0, options);
  }

  save(): void {
    const changes = this.store.takeChanges();
    const generation = this.generation;
    if (this.mustCompact || generation === undefined) {
      if (changes || this.mustCompact) this.compact();
      return;
    }
    if (!changes) return;
    const line = commitLine(this.store, changes);
    if (line === undefined) {
      this.compact();
      return;
    }
    try {
      this.append(generation, line);
    } catch (err) {
      // The change is in memory only, and the log may end mid-line: the next save rewrites both.
      this.mustCompact = true;
      throw err;
    }
    if (this.logBytes >= this.compactAtBytes()) this.compact();
  }

  close(): void {
    try {
      this.save();
      if (this.logBytes > 0) this.compact();
    } finally {
      this.closeLog();
    }
  }

  private compactAtBytes(): number {
    return this.options.compactAtBytes ?? Math.max(MIN_COMPACT_BYTES, this.snapshotBytes);
  }

  private compact(): void {
    this.mustCompact = true;
    const generation = randomBytes(8).toString('hex');
    this.snapshotBytes = writeSnapshot(this.file, this.store, generation);
    this.generation = generation;
    this.logStarted = false;
    this.startLog(generation);
    this.mustCompact = false;
  }

  /** By rename, so the header is whole and whatever log was there (stale or torn) is gone at once. */
  private startLog(generation: string): void {
    this.closeLog();
    const temp = `${this.log}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeAll(fd, logHeader(generation));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.log);
    this.logStarted = true;
    this.logBytes = 0;
  }

  private append(generation: string, line: string): void {
    if (!this.logStarted) this.startLog(generation);
    this.fd ??= openSync(this.log, 'a');
    writeAll(this.fd, line);
    this.logBytes += Buffer.byteLength(line);
  }

  private closeLog(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done);
}
