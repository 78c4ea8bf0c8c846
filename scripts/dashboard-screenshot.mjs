#!/usr/bin/env node
// `npm run screenshot:dashboard`: with `npm start` running, signs in to the dashboard as the
// operator, starts the demo users' backfill (`npm run ops -- backfill --all --force`), waits until
// the page has shown it over a few refreshes and saves docs/images/dashboard.png for the README.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { OPERATOR } from './demo-data.mjs';
import { EMULATOR_CONFIG, ROOT } from './emulators.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const { host, port } = EMULATOR_CONFIG.hosting;
const URL = `http://${host}:${port}/?refresh=2`;
const OUT = join(ROOT, 'docs', 'images', 'dashboard.png');
const say = (line) => process.stdout.write(`${line}\n`);

/** Polls `check` until it returns true or `ms` pass; false then. */
async function until(check, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

try {
  await fetch(URL);
} catch {
  process.stderr.write(`The dashboard does not answer at ${URL}: run \`npm start\` first.\n`);
  process.exit(1);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(URL);
  await page.getByTestId('sign-in-email').fill(OPERATOR.email);
  await page.getByTestId('sign-in-password').fill(OPERATOR.password);
  await page.getByTestId('sign-in-submit').click();
  await page.locator('[data-testid="dashboard"][data-loaded="true"]').waitFor({ timeout: 60_000 });
  say(`signed in to ${URL} as ${OPERATOR.email}`);

  const refreshes = async () =>
    Number(await page.getByTestId('refreshes').getAttribute('data-value'));
  const status = () => page.getByTestId('chart-status').getAttribute('data-series');
  const before = await status();
  say('npm run ops -- backfill --all --force');
  const ops = spawnSync('npm', ['run', '-s', 'ops', '--', 'backfill', '--all', '--force'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (ops.status !== 0) throw new Error('ops backfill failed');

  const started = await refreshes();
  const moved = await until(async () => (await status()) !== before, 60_000);
  // Until no run is queued or running, then a few refreshes more.
  await until(async () => {
    const series = JSON.parse((await status()) ?? '{"datasets":[]}');
    const busy = series.datasets
      .filter((d) => d.label === 'queued' || d.label === 'running')
      .reduce((sum, d) => sum + d.data[0], 0);
    return busy === 0;
  }, 120_000);
  const settled = await refreshes();
  await until(async () => (await refreshes()) >= Math.max(settled, started) + 3, 30_000);
  if (!moved) say('warning: the status chart did not change during the backfill');

  mkdirSync(dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  say(`saved ${OUT} after ${(await refreshes()) - started} refreshes`);
} finally {
  await browser.close();
}
