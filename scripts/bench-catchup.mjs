#!/usr/bin/env node
// `npm run bench:catchup`: bench/catchup.bench.mjs needs the Firestore emulator. It runs in a
// project of its own (demo-bench), so the functions emulated beside it never see its writes.
import { join } from 'node:path';
import { buildAll } from './build.mjs';
import { ensureInstalled, ROOT, runEmulators, TEST_SETTINGS } from './emulators.mjs';

ensureInstalled();
if (!buildAll()) process.exit(1);
process.exit(
  await runEmulators('exec', [`node ${join(ROOT, 'bench', 'catchup.bench.mjs')}`], TEST_SETTINGS),
);
