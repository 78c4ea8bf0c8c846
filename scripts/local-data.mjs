// What `npm start` keeps between runs: the Emulator Suite's export (Firestore, Auth) and the CloudKit
// simulator's data, saved together so they always describe the same moment. The simulator runs on
// a working copy; only a clean stop, after firebase-tools exported, copies it back beside the
// export. A run that ended any other way leaves the last saved pair, never one store ahead of the
// other (which made every demo user look unmigrated while CloudKit still held its writes).
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SIM_FILE = 'demo-data.json';
const EXPORT_METADATA = 'firebase-export-metadata.json';

/** The simulator's files: its snapshot and the log of changes since; not a half-written temp file. */
const simulatorFiles = (dir) =>
  existsSync(dir)
    ? readdirSync(dir).filter((name) => name.startsWith(SIM_FILE) && !name.endsWith('.tmp'))
    : [];

function copyFiles(names, from, to) {
  mkdirSync(to, { recursive: true });
  for (const name of names) copyFileSync(join(from, name), join(to, name));
}

export class LocalData {
  constructor(dir) {
    this.dir = dir;
    this.firebaseDir = join(dir, 'firebase');
    this.savedSimulatorDir = join(dir, 'cloudkit-sim');
    this.workingDir = join(dir, 'cloudkit-sim-running');
    this.simulatorFile = join(this.workingDir, SIM_FILE);
  }

  /** Clears the working copy; the simulator then seeds its demo users again. */
  #clearWorkingCopy() {
    rmSync(this.workingDir, { recursive: true, force: true });
  }

  /** Starts clean: nothing saved, nothing loaded. Returns false (no data kept). */
  forget() {
    rmSync(this.dir, { recursive: true, force: true });
    return false;
  }

  /** Puts the last saved pair in place; with only half a pair, starts clean. Returns whether kept. */
  restore() {
    const saved = simulatorFiles(this.savedSimulatorDir);
    if (saved.length === 0 || !existsSync(join(this.firebaseDir, EXPORT_METADATA))) {
      return this.forget();
    }
    this.#clearWorkingCopy();
    copyFiles(saved, this.savedSimulatorDir, this.workingDir);
    return true;
  }

  /** firebase-tools imports the export if there is one and exports to it on a clean exit. */
  firebaseArgs() {
    return ['--import', this.firebaseDir, '--export-on-exit', this.firebaseDir];
  }

  /** True when firebase-tools finished an export after `since` (ms since the epoch). */
  exportedSince(since) {
    const metadata = join(this.firebaseDir, EXPORT_METADATA);
    return existsSync(metadata) && statSync(metadata).mtimeMs >= since;
  }

  /** After a clean export, the simulator's data joins it. */
  saveSimulator() {
    rmSync(this.savedSimulatorDir, { recursive: true, force: true });
    copyFiles(simulatorFiles(this.workingDir), this.workingDir, this.savedSimulatorDir);
  }
}
