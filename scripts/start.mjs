#!/usr/bin/env node
// `npm start`: builds the functions, then runs the Emulator Suite with them and the demo data.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureInstalled, ROOT, runEmulators } from './emulators.mjs';

ensureInstalled();

const build = spawnSync(
  join(ROOT, 'node_modules', '.bin', 'tsc'),
  ['-p', 'functions/tsconfig.build.json'],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);
process.exit(await runEmulators('exec', [`node ${join(ROOT, 'scripts', 'demo-seed.mjs')}`]));
