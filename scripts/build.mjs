#!/usr/bin/env node
// Compiles what the emulators run: the functions and the CloudKit simulator.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './emulators.mjs';

export const BUILDS = ['functions/tsconfig.build.json', 'tools/cloudkit-sim/tsconfig.json'];

/** True when every project compiled. */
export function buildAll() {
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  return BUILDS.every(
    (project) => spawnSync(tsc, ['-p', project], { cwd: ROOT, stdio: 'inherit' }).status === 0,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(buildAll() ? 0 : 1);
