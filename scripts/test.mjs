#!/usr/bin/env node
// `npm test`: build, typecheck, lint, unit tests, the emulator tests under one Emulator Suite, the
// rollout walk under another, then the README walkthrough (its own npm start),
// ending with the plain line `N passed, N failed` that CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BUILDS, DASHBOARD_BUILD } from './build.mjs';
import { ensureInstalled, ROOT, runEmulators, TEST_SETTINGS } from './emulators.mjs';
import { walkthrough } from './readme-walkthrough.mjs';

ensureInstalled();

const RESULTS = join(ROOT, '.cache', 'test-results');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

function step(title, command, args) {
  process.stdout.write(`\n== ${title}\n`);
  const run = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  return run.status === 0;
}

function jestArgs(project, outputFile) {
  return ['--selectProjects', project, '--json', `--outputFile=${outputFile}`, '--runInBand'];
}

function counts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 0, ran: false };
  const report = JSON.parse(readFileSync(file, 'utf8'));
  // A suite that fails to load has no test results: count it as a failure, not as nothing.
  const brokenSuites = report.numRuntimeErrorTestSuites ?? 0;
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenSuites, ran: true };
}

rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });
const unitReport = join(RESULTS, 'unit.json');
const legacyReport = join(RESULTS, 'legacy.json');
const emulatorReport = join(RESULTS, 'emulator.json');
const rolloutReport = join(RESULTS, 'rollout.json');

const checks = [
  ...BUILDS.map((project) => step(`build ${project}`, bin('tsc'), ['-p', project])),
  step('build dashboard', process.execPath, [DASHBOARD_BUILD]),
  step('typecheck', bin('tsc'), ['-p', 'tsconfig.json']),
  step('typecheck dashboard', bin('tsc'), ['-p', 'dashboard/tsconfig.json']),
  step('lint', bin('eslint'), ['.']),
  step('format', bin('prettier'), ['--check', '.']),
];
step('unit tests', bin('jest'), jestArgs('unit', unitReport));
step('legacy store tests (CloudKit simulator)', bin('jest'), jestArgs('legacy', legacyReport));

process.stdout.write('\n== emulator tests\n');
const jestCommand = [bin('jest'), ...jestArgs('emulator', emulatorReport)].join(' ');
const emulatorExit = await runEmulators('exec', [jestCommand], TEST_SETTINGS);

process.stdout.write('\n== rollout walk (an Emulator Suite of its own)\n');
const rolloutCommand = [bin('jest'), ...jestArgs('rollout', rolloutReport)].join(' ');
const rolloutExit = await runEmulators('exec', [rolloutCommand], TEST_SETTINGS);

process.stdout.write('\n== README walkthrough (npm start as a newcomer runs it)\n');
const readme = await walkthrough();

const reports = [unitReport, legacyReport, emulatorReport, rolloutReport].map(counts);
const passed = reports.reduce((sum, r) => sum + r.passed, readme.passed);
let failed = reports.reduce((sum, r) => sum + r.failed, readme.failed);
const failedChecks = checks.filter((ok) => !ok).length;
// A check that failed, or an emulator run that never produced a report, is a failure too.
failed += failedChecks + reports.filter((r) => !r.ran).length;
// A suite run that exited non-zero with no failed test (a crash after the tests) still fails.
for (const [report, exit] of [
  [reports[2], emulatorExit],
  [reports[3], rolloutExit],
]) {
  if (exit !== 0 && report.ran && report.failed === 0) failed += 1;
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
