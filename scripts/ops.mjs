#!/usr/bin/env node
// `npm run ops -- <command>`: the operators' command line (functions/src/ops, docs/operations.md).
// Builds first when the functions have not been built yet (npm start and npm test build them).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildAll } from './build.mjs';
import { ROOT } from './emulators.mjs';

// The shared code logs through firebase-functions' logger, which keeps the console methods it finds
// when loaded: in a CLI those lines are diagnostics, so they go to stderr before anything loads,
// and stdout stays the command's answer (`--json` output parses).
console.log = console.info = console.debug = console.warn = console.error;

const cli = join(ROOT, 'functions', 'lib', 'ops', 'cli.js');
if (!existsSync(cli) && !buildAll()) process.exit(1);
const { main } = createRequire(import.meta.url)(cli);
process.exit(await main(process.argv.slice(2)));
