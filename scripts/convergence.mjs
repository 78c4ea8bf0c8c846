#!/usr/bin/env node
// `npm run test:convergence` (the model test and its regressions, 300 histories) and
// `npm run soak` (3,000 histories). CONVERGENCE_SEED and CONVERGENCE_PATH, from a failure's
// output, replay that history; CONVERGENCE_RUNS sets how many to play.
import { join } from 'node:path';
import { buildAll } from './build.mjs';
import { ensureInstalled, ROOT, runEmulators, TEST_SETTINGS } from './emulators.mjs';

ensureInstalled();
if (!buildAll()) process.exit(1);
if (process.argv.includes('--soak')) process.env.CONVERGENCE_RUNS ??= '3000';
const jest = join(ROOT, 'node_modules', '.bin', 'jest');
const command = `${jest} --selectProjects emulator --runInBand --testPathPatterns convergence`;
process.exit(await runEmulators('exec', [command], TEST_SETTINGS));
