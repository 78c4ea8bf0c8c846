#!/usr/bin/env node
// `npm run bench:emulators`: the backfill and dual-write side by side on the whole emulator stack
// (bench/emulators.bench.mjs), run as a user runs them: the built functions in the Functions
// emulator, Firestore, Pub/Sub, Cloud Tasks, Auth, and the CloudKit simulator with fresh data.
// Options: --check (exit 1 when a target is missed), --write-docs (update docs/benchmarks.md),
// --emulator-logs (the emulators' and functions' logs, silenced by default so the table stands out).
import { join } from 'node:path';
import { buildAll } from './build.mjs';
import { ensureInstalled, ROOT, runEmulators } from './emulators.mjs';

const OPTIONS = ['--check', '--write-docs', '--emulator-logs'];
const options = process.argv.slice(2);
const unknown = options.filter(
  (option) => !OPTIONS.includes(option) && !option.startsWith('--only='),
);
if (unknown.length > 0) {
  process.stderr.write(
    `usage: npm run bench:emulators -- [${OPTIONS.join('] [')}] [--only=backfill,dual-write,snapshot,heap]\n`,
  );
  process.exit(2);
}

ensureInstalled();
if (!buildAll()) process.exit(1);
// --expose-gc: the worker's heap is measured after a collection (bench/emulators.bench.mjs).
const benchOptions = options.filter((option) => option !== '--emulator-logs');
const bench = `node --expose-gc ${join(ROOT, 'bench', 'emulators.bench.mjs')} ${benchOptions.join(' ')}`;
const quiet = options.includes('--emulator-logs') ? [] : ['--log-verbosity', 'SILENT'];
// Flags the bench can switch within a second (dual-write on and off); telemetry flushed in the
// background as in production, not awaited per call as the tests have it (TEST_SETTINGS).
const settings = { fastFlags: true };
process.exit(await runEmulators('exec', [...quiet, bench.trim()], settings));
