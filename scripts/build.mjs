#!/usr/bin/env node
// Compiles what the emulators run: the functions and the CloudKit simulator; bundles the
// operators' dashboard (dashboard/build.mjs) that the Hosting emulator serves.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './emulators.mjs';

export const BUILDS = ['functions/tsconfig.build.json', 'tools/cloudkit-sim/tsconfig.json'];
/** The dashboard's bundle (esbuild); its type check is the typecheck step's (dashboard/tsconfig.json). */
export const DASHBOARD_BUILD = join('dashboard', 'build.mjs');

/** True when every project compiled. */
export function buildAll() {
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  return (
    BUILDS.every(
      (project) => spawnSync(tsc, ['-p', project], { cwd: ROOT, stdio: 'inherit' }).status === 0,
    ) &&
    spawnSync(process.execPath, [DASHBOARD_BUILD], { cwd: ROOT, stdio: 'inherit' }).status === 0
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(buildAll() ? 0 : 1);
