#!/usr/bin/env node
// Bundles the operators' dashboard (dashboard/src, TypeScript, no framework) with esbuild into
// dashboard/dist/, which the Hosting emulator serves. Type checking is `npm run typecheck`'s.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DIST = join(HERE, 'dist');

export async function buildDashboard() {
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  await build({
    entryPoints: [join(HERE, 'src', 'main.ts')],
    outfile: join(DIST, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'styles.css']) copyFileSync(join(HERE, file), join(DIST, file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildDashboard();
