#!/usr/bin/env node
// `npm run bench`: the pure benchmarks (domain logic, backfill mapping), then those that need the
// Firestore emulator (documents per call, telemetry under load), each printing its table. Exits
// non-zero if any fails its own check (a row that grows with history, counters that do not add up).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildAll } from './build.mjs';
import { ensureInstalled, ROOT, runEmulators, TEST_SETTINGS } from './emulators.mjs';

ensureInstalled();
if (!buildAll()) process.exit(1);
const bench = (name) => join(ROOT, 'bench', name);
for (const args of [[bench('domain.bench.mjs')], ['--expose-gc', bench('backfill.bench.mjs')]]) {
  const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
const withEmulator = ['cost.bench.mjs', 'telemetry.bench.mjs'].map((b) => `node ${bench(b)}`);
process.exit(await runEmulators('exec', [withEmulator.join(' && ')], TEST_SETTINGS));
