import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page, type Response } from 'playwright-core';
import {
  count,
  decimalText,
  duration,
  percent,
  perMinute,
  stageText,
  verdict,
} from '../../../dashboard/src/format';
import {
  cacheSeries,
  dualWriteSeries,
  p95Series,
  shadowSeries,
  statusesOf,
  statusSeries,
  throughputSeries,
} from '../../../dashboard/src/series';
import type { DashboardAnswer } from '../../../dashboard/src/types';
import { adminAuth } from '../support/admin';
import { publishBackfill, waitForCompletion } from '../support/backfill';
import { emulatorHost } from '../support/emulators';
import { eventually } from '../support/eventually';
import {
  completionRecord,
  dayAfterStart,
  habitRecord,
  linkedLegacyUser,
  putLegacyRecords,
} from '../support/legacyRecords';

/**
 * The operators' dashboard (dashboard/) in headless Chromium, served by the Hosting emulator and
 * talking to the emulated Auth and Functions exactly as an operator's browser does.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DASHBOARD = `${emulatorHost('hosting').origin}/`;
const SHOTS = join(__dirname, '../../../.cache/test-results/dashboard');
const PASSWORD = 'password-123';

let browser: Browser;
const timings: Record<string, number> = {};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  writeFileSync(join(SHOTS, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  process.stdout.write(`dashboard load times (ms): ${JSON.stringify(timings)}\n`);
});

/** An email and password account, with the admin claim or without, as an operator's. */
async function account(admin: boolean) {
  const email = `dashboard-${randomUUID()}@example.com`;
  const { uid } = await adminAuth().createUser({ email, password: PASSWORD });
  if (admin) await adminAuth().setCustomUserClaims(uid, { admin: true });
  return { email, uid };
}

const isCall = (name: string) => (response: Response) =>
  response.request().method() === 'POST' && new URL(response.url()).pathname.endsWith(`/${name}`);

/** A page with every `admin-dashboard` answer it receives, in order. */
async function openDashboard(query = '') {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const answers: DashboardAnswer[] = [];
  const statuses: number[] = [];
  page.on('response', (response) => {
    if (!isCall('admin-dashboard')(response)) return;
    statuses.push(response.status());
    if (response.ok()) {
      void response
        .json()
        .then((body: { result: DashboardAnswer }) => answers.push(body.result))
        .catch(() => {});
    }
  });
  await page.goto(`${DASHBOARD}${query}`);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
  return { page, answers, statuses, close: () => context.close() };
}

/** Fills the form and submits it; resolves with the first admin-dashboard response. */
async function signIn(page: Page, email: string) {
  await page.getByTestId('sign-in-email').fill(email);
  await page.getByTestId('sign-in-password').fill(PASSWORD);
  const first = page.waitForResponse(isCall('admin-dashboard'), { timeout: 60_000 });
  await page.getByTestId('sign-in-submit').click();
  return first;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Every figure on the page: its text and its raw value, by data-testid. */
function figures(page: Page) {
  return page.evaluate<Record<string, { text: string; value: unknown }>>(`
    Object.fromEntries([...document.querySelectorAll('.figure[data-testid]')].map((node) => [
      node.dataset.testid,
      { text: node.textContent, value: node.dataset.value === undefined ? undefined : JSON.parse(node.dataset.value) },
    ]))`);
}

/** Each chart's data-series, by its data-testid. */
function chartSeries(page: Page) {
  return page.evaluate<Record<string, unknown>>(`
    Object.fromEntries([...document.querySelectorAll('[data-series]')].map((node) => [
      node.dataset.testid, JSON.parse(node.dataset.series),
    ]))`);
}

const statusChart = (page: Page) =>
  page.getByTestId('chart-status').getAttribute('data-series', { timeout: 5_000 });

/** What the page must show for `answer`: each figure's text, and its raw value. */
function expectedFigures(a: DashboardAnswer): Record<string, { text: string; value: unknown }> {
  const f = (text: string, value: unknown) => ({ text, value });
  const latest = a.hours[a.hours.length - 1];
  const users = a.migration.usersByStatus;
  const out: Record<string, { text: string; value: unknown }> = {
    'stage-name': f(stageText(a.rollout.stage), a.rollout.stage.name),
    'template-version': f(
      a.rollout.templateVersion ?? 'committed defaults',
      a.rollout.templateVersion,
    ),
    'users-total': f(
      count(Object.values(users).reduce((x, y) => x + y, 0)),
      Object.values(users).reduce((x, y) => x + y, 0),
    ),
    'records-migrated': f(count(a.migration.recordsMigrated), a.migration.recordsMigrated),
    'migration-p95': f(duration(a.migration.migrationTimeMs.p95), a.migration.migrationTimeMs.p95),
    'failures-users': f(count(a.migration.failures.users), a.migration.failures.users),
    quarantined: f(count(a.quarantined), a.quarantined),
    'hour-users-completed': f(count(latest.usersCompleted), latest.usersCompleted),
    'hour-records-migrated': f(count(latest.recordsMigrated), latest.recordsMigrated),
    'users-per-minute': f(
      decimalText(perMinute(latest.usersCompleted)),
      perMinute(latest.usersCompleted),
    ),
    'records-per-minute': f(
      decimalText(perMinute(latest.recordsMigrated)),
      perMinute(latest.recordsMigrated),
    ),
    'primary-rate': f(percent(a.dualWrite.primary.rate), a.dualWrite.primary.rate),
    'primary-target': f(percent(a.dualWrite.primary.target), a.dualWrite.primary.target),
    'primary-verdict': f(verdict(a.dualWrite.primary.pass), a.dualWrite.primary.pass),
    'secondary-rate': f(percent(a.dualWrite.secondary.rate), a.dualWrite.secondary.rate),
    'secondary-target': f(percent(a.dualWrite.secondary.target), a.dualWrite.secondary.target),
    'secondary-parked': f(count(a.dualWrite.secondary.parked), a.dualWrite.secondary.parked),
    'outbox-pending': f(count(a.outbox.pending), a.outbox.pending),
    'outbox-oldest-age': f(
      a.outbox.oldestPendingAgeMs === null ? 'none pending' : duration(a.outbox.oldestPendingAgeMs),
      a.outbox.oldestPendingAgeMs,
    ),
    'outbox-failed': f(count(a.outbox.failed), a.outbox.failed),
    'failed-entries': f(count(a.dualWrite.failedEntries), a.dualWrite.failedEntries),
    'shadow-rate': f(percent(a.shadowCompare.rate), a.shadowCompare.rate),
    'verification-rate': f(
      percent(a.consistency.verification.rate),
      a.consistency.verification.rate,
    ),
    'verification-records': f(
      count(a.consistency.verification.records),
      a.consistency.verification.records,
    ),
    'verification-mismatches': f(
      count(a.consistency.verification.mismatches),
      a.consistency.verification.mismatches,
    ),
    'open-inconsistencies': f(
      count(a.consistency.openInconsistencies),
      a.consistency.openInconsistencies,
    ),
    'cache-hit-rate': f(percent(a.cache.hitRate.rate), a.cache.hitRate.rate),
    'cache-target': f(`> ${percent(a.cache.hitRate.target)}`, a.cache.hitRate.target),
    'cache-verdict': f(verdict(a.cache.hitRate.pass), a.cache.hitRate.pass),
    'cache-not-modified': f(count(a.cache.notModified), a.cache.notModified),
  };
  for (const status of statusesOf(users)) {
    out[`users-${status}`] = f(count(users[status] ?? 0), users[status] ?? 0);
  }
  for (const [outcome, n] of Object.entries(a.dualWrite.secondary.outcomes)) {
    out[`delivery-${outcome}`] = f(count(n), n);
  }
  return out;
}

function expectedCharts(a: DashboardAnswer) {
  return {
    'chart-status': statusSeries(a.migration.usersByStatus),
    'chart-throughput': throughputSeries(a.hours),
    'chart-p95': p95Series(a.hours),
    'chart-dual-write': dualWriteSeries(a.hours, {
      primary: a.dualWrite.primary.target,
      secondary: a.dualWrite.secondary.target,
    }),
    'chart-cache': cacheSeries(a.hours, a.cache.hitRate.target),
    'chart-shadow': shadowSeries(a.hours, a.shadowCompare.target),
  };
}

const PANELS = [
  'rollout',
  'migration',
  'throughput',
  'failures',
  'dual-write',
  'consistency',
  'cache',
  'lookup',
];

/** A legacy user with a habit and `days` completions in CloudKit, linked, not yet migrated. */
async function legacyUserWithRecords(days: number): Promise<string> {
  const uid = await linkedLegacyUser(`dashboard-${randomUUID()}`);
  const habit = `h-${randomUUID().slice(0, 8)}`;
  await putLegacyRecords(uid, [
    habitRecord(habit, { name: 'Stretch' }),
    ...Array.from({ length: days }, (_, n) => completionRecord(habit, dayAfterStart(n))),
  ]);
  return uid;
}

describe('the operators dashboard', () => {
  test('an admin signs in and sees every panel, with the figures of the answer the page received', async () => {
    const admin = await account(true);
    // No second refresh while the page is compared with its first answer.
    const { page, close } = await openDashboard('?refresh=600');
    try {
      await page.getByTestId('sign-in-form').waitFor({ state: 'visible' });
      expect(await page.getByTestId('dashboard').isHidden()).toBe(true);

      const began = Date.now();
      const response = await signIn(page, admin.email);
      expect(response.status()).toBe(200);
      const answer = ((await response.json()) as { result: DashboardAnswer }).result;
      await page.locator('[data-testid="dashboard"][data-loaded="true"]').waitFor();
      timings.submitToFiguresMs = Date.now() - began;
      // The page's own measure: signed in (Auth answered) to the first figures on screen.
      timings.signedInToFiguresMs = await page.evaluate<number>(`(() => {
        const measure = performance.getEntriesByName('dashboard-load')[0];
        return Math.round(measure ? measure.duration : -1);
      })()`);

      expect(await page.getByTestId('dashboard').getAttribute('data-generated-at')).toBe(
        answer.generatedAt,
      );
      for (const id of PANELS) await page.getByTestId(`panel-${id}`).waitFor({ state: 'visible' });
      expect(await page.getByTestId('not-authorised').isHidden()).toBe(true);
      expect(await page.getByTestId('signed-in-as').textContent()).toBe(admin.email);

      // Every figure: the text written from the answer, and the raw value it came from.
      const shown = await figures(page);
      const expected = expectedFigures(answer);
      expect(Object.fromEntries(Object.keys(expected).map((id) => [id, shown[id]]))).toEqual(
        expected,
      );
      expect(answer.cache.hitRate.target).toBe(0.8);
      expect(shown['cache-target'].text).toBe('> 80 %');
      // No figure left unfilled.
      const unfilled = Object.entries(shown).filter(
        ([id, figure]) => !id.startsWith('lookup-') && figure.value === undefined,
      );
      expect(unfilled).toEqual([]);

      // Each chart's data, from the same answer.
      const charts = await chartSeries(page);
      expect(charts).toEqual(expectedCharts(answer));
      expect((charts['chart-throughput'] as { labels: string[] }).labels).toHaveLength(
        answer.hours.length,
      );

      // The stage's gates, PASS/FAIL/N/A, and the flags with their sources.
      const gates = await page.getByTestId('gate').all();
      expect(gates).toHaveLength(answer.rollout.gates.length);
      for (const [i, gate] of answer.rollout.gates.entries()) {
        const row = gates[i];
        expect(await row.getByTestId('gate-name').textContent()).toBe(gate.name);
        expect(await row.getByTestId('gate-figure').textContent()).toBe(gate.figure);
        expect(await row.getByTestId('gate-target').textContent()).toBe(gate.target);
        expect(await row.getByTestId('gate-status').textContent()).toBe(verdict(gate.status));
      }
      for (const [name, value] of Object.entries(answer.flags.values)) {
        const row = page.locator(`[data-testid="flag"][data-flag="${name}"]`);
        expect(await row.getByTestId('flag-value').textContent()).toBe(String(value));
        expect(await row.getByTestId('flag-source').textContent()).toBe(
          answer.flags.sources[name as keyof typeof answer.flags.sources] ?? '-',
        );
      }
      // The latest errors.
      const failures = await page.getByTestId('failure').all();
      expect(failures).toHaveLength(answer.recentFailures.length);
      for (const [i, failure] of answer.recentFailures.entries()) {
        expect(await failures[i].getByTestId('failure-uid').textContent()).toBe(failure.uid);
        expect(await failures[i].getByTestId('failure-error').textContent()).toBe(failure.error);
      }
      await shot(page, 'admin');

      // Signing out leaves only the form: nothing of the answer stays on the page.
      await page.getByTestId('sign-out').click();
      await page.getByTestId('sign-in-form').waitFor({ state: 'visible' });
      expect(await page.locator('.figure, [data-series]').count()).toBe(0);
    } finally {
      await close();
    }
  }, 120_000);

  test('an account without the admin claim sees "not authorised" and no figures', async () => {
    const user = await account(false);
    const { page, answers, statuses, close } = await openDashboard('?refresh=1');
    try {
      const response = await signIn(page, user.email);
      expect(response.status()).toBe(403);
      const body = (await response.json()) as { error: { status: string } };
      expect(body.error.status).toBe('PERMISSION_DENIED');
      await page.getByTestId('not-authorised').waitFor({ state: 'visible' });
      expect(await page.getByTestId('not-authorised').textContent()).toContain('Not authorised');
      expect(await page.getByTestId('dashboard').isHidden()).toBe(true);
      expect(await page.getByTestId('dashboard-header').isHidden()).toBe(true);
      expect(await page.locator('[data-testid="dashboard"] > *').count()).toBe(0);
      expect(await page.locator('.figure, [data-series], [data-testid^="panel-"]').count()).toBe(0);
      // Every call refused, and nothing answered.
      expect(statuses.every((status) => status === 403)).toBe(true);
      expect(answers).toEqual([]);
      await shot(page, 'not-authorised');
    } finally {
      await close();
    }
  }, 60_000);

  let migratedUid: string | undefined;

  test('a running backfill moves the status chart between two refreshes', async () => {
    const admin = await account(true);
    const uid = await legacyUserWithRecords(400);
    const { page, answers, close } = await openDashboard('?refresh=1');
    try {
      const began = Date.now();
      await signIn(page, admin.email);
      await page.locator('[data-testid="dashboard"][data-loaded="true"]').waitFor();
      timings.warmSubmitToFiguresMs = Date.now() - began;
      const before = await statusChart(page);
      const refreshesBefore = answers.length;

      await publishBackfill({ type: 'user', uid });
      const after = await eventually(
        async () => {
          const now = await statusChart(page);
          return now !== before ? now : undefined;
        },
        { timeoutMs: 90_000, what: 'the status chart to change' },
      );
      expect(answers.length).toBeGreaterThan(refreshesBefore);
      // What the chart shows is what one of the page's answers said.
      expect(answers.map((a) => JSON.stringify(statusSeries(a.migration.usersByStatus)))).toContain(
        after,
      );
      await shot(page, 'backfill-running');

      // ... and once the run has completed, the chart counts one more completed user.
      const completedBefore = (JSON.parse(before as string) as ReturnType<typeof statusSeries>)
        .datasets;
      const completed = (series: ReturnType<typeof statusSeries>['datasets']) =>
        series
          .filter((d) => d.label === 'completed' || d.label === 'completed_with_errors')
          .reduce((sum, d) => sum + (d.data[0] ?? 0), 0);
      expect((await waitForCompletion(uid)).status).toBe('completed');
      await eventually(
        async () => {
          const now = JSON.parse((await statusChart(page)) as string) as ReturnType<
            typeof statusSeries
          >;
          return completed(now.datasets) > completed(completedBefore) ? true : undefined;
        },
        { timeoutMs: 30_000, what: 'the completed user to show' },
      );
      migratedUid = uid;
      await shot(page, 'backfill-completed');
    } finally {
      await close();
    }
  }, 180_000);

  test('the user lookup finds a migrated user; verify and re-queue each ask first', async () => {
    const admin = await account(true);
    let uid = migratedUid;
    if (!uid) {
      uid = await legacyUserWithRecords(20);
      await publishBackfill({ type: 'user', uid });
      expect((await waitForCompletion(uid)).status).toBe('completed');
    }
    const { page, close } = await openDashboard('?refresh=600');
    const requested: string[] = [];
    page.on('request', (request) => {
      const name = new URL(request.url()).pathname.split('/').pop() ?? '';
      if (request.method() === 'POST' && name.startsWith('admin-')) requested.push(name);
    });
    try {
      await signIn(page, admin.email);
      await page.getByTestId('panel-lookup').waitFor({ state: 'visible' });

      await page.getByTestId('lookup-uid').fill(uid);
      const lookup = page.waitForResponse(isCall('admin-userLookup'));
      await page.getByTestId('lookup-submit').click();
      const found = (await (await lookup).json()) as {
        result: {
          counts: Record<string, number>;
          state: { status: string };
          catchUp: { following: boolean };
        };
      };
      await page.getByTestId('lookup-result').waitFor({ state: 'visible' });
      expect(await page.getByTestId('lookup-status').textContent()).toBe('completed');
      expect(found.result.state.status).toBe('completed');
      expect(await page.getByTestId('lookup-counts').getAttribute('data-value')).toBe(
        JSON.stringify(found.result.counts),
      );
      expect(found.result.counts.completions).toBeGreaterThan(0);
      expect(await page.getByTestId('lookup-last-error').textContent()).toBe('none');
      expect(await page.getByTestId('lookup-catchup-following').textContent()).toBe(
        found.result.catchUp.following ? 'yes' : 'no',
      );
      await shot(page, 'lookup');

      // Dismissed: nothing is called.
      page.once('dialog', (dialog) => void dialog.dismiss());
      await page.getByTestId('requeue-user').click();
      page.once('dialog', (dialog) => void dialog.dismiss());
      await page.getByTestId('verify-user').click();
      expect(
        requested.filter((n) => n === 'admin-requeueUser' || n === 'admin-verifyUser'),
      ).toEqual([]);

      // Confirmed: the user is verified now.
      page.once('dialog', (dialog) => void dialog.accept());
      const verified = page.waitForResponse(isCall('admin-verifyUser'));
      await page.getByTestId('verify-user').click();
      expect((await verified).status()).toBe(200);
      await page
        .getByTestId('lookup-message')
        .filter({ hasText: `verified ${uid}` })
        .waitFor();

      // Confirmed: re-queued, and the lookup shows the new run.
      page.once('dialog', (dialog) => void dialog.accept());
      const requeued = page.waitForResponse(isCall('admin-requeueUser'));
      await page.getByTestId('requeue-user').click();
      expect((await requeued).status()).toBe(200);
      await page
        .getByTestId('lookup-message')
        .filter({ hasText: `re-queued ${uid}` })
        .waitFor();
      const queued = JSON.parse(
        (await page.getByTestId('lookup-action-result').textContent()) ?? '{}',
      ) as { status?: string };
      expect(queued.status).toBe('queued');
      expect(requested.filter((n) => n === 'admin-dashboard')).toHaveLength(1);
      await shot(page, 'lookup-requeued');
      await waitForCompletion(uid);
    } finally {
      await close();
    }
  }, 180_000);
});
