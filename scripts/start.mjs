#!/usr/bin/env node
// `npm start`: builds the functions, then runs the Emulator Suite with them and the demo data.
import { join } from 'node:path';
import { buildAll } from './build.mjs';
import { ensureInstalled, ROOT, runEmulators } from './emulators.mjs';

ensureInstalled();
if (!buildAll()) process.exit(1);
process.exit(await runEmulators('exec', [`node ${join(ROOT, 'scripts', 'demo-seed.mjs')}`]));
