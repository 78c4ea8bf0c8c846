#!/usr/bin/env node
// `npm run walkthrough` (and a step of `npm test`): the README's loop as a newcomer follows it. Every
// command in README.md's sh blocks runs as written, in order, against a real `npm start`; then the
// banner's curl line and web-SDK snippet, a flag change as docs/operations.md describes it, Ctrl+C
// (everything stopped within 10 s), a restart that keeps the data, and `npm start -- --fresh`.
// Prints one line per step and ends with `N passed, N failed`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS, operatorIdToken } from './demo-data.mjs';
import { ROOT, stackPorts } from './emulators.mjs';
import { isListening } from './processes.mjs';

const README = join(ROOT, 'README.md');
const TEMPLATE = join(ROOT, 'config', 'remote-config.template.json');
const READY_MS = 240_000;
const COMMAND_MS = 180_000;
const STOP_LIMIT_MS = 10_000;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** The commands of README.md's ```sh blocks, without their comments, in order. */
export function readmeCommands(markdown) {
  const commands = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '' && !command.startsWith('#')) commands.push(command);
    }
  }
  return commands;
}

/** Runs a shell command to its end; resolves with its exit code and output. */
function run(command, { timeoutMs = COMMAND_MS, env } = {}) {
  return new Promise((done) => {
    const child = spawn('sh', ['-c', command], { cwd: ROOT, env, detached: true });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? signal, output });
    });
  });
}

/** `npm start [args]` as a terminal runs it: its own process group, which Ctrl+C signals. */
class NpmStart {
  constructor(args, env) {
    this.output = '';
    this.child = spawn('npm', ['start', ...(args.length ? ['--', ...args] : [])], {
      cwd: ROOT,
      env,
      detached: true,
    });
    this.child.stdout.on('data', (chunk) => (this.output += chunk));
    this.child.stderr.on('data', (chunk) => (this.output += chunk));
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
  }

  async ready() {
    const until = Date.now() + READY_MS;
    while (Date.now() < until && this.child.exitCode === null) {
      if (this.output.includes('Press Ctrl+C to stop')) return true;
      await sleep(250);
    }
    return false;
  }

  /** Ctrl+C; resolves with how long until no port of the stack answered. */
  async interrupt() {
    const sent = Date.now();
    process.kill(-this.child.pid, 'SIGINT');
    const ports = Object.values(stackPorts());
    while (Date.now() - sent < 30_000) {
      const open = await Promise.all(ports.map((port) => isListening(port)));
      if (!open.some(Boolean)) break;
      await sleep(100);
    }
    const freedMs = Date.now() - sent;
    await Promise.race([this.exited, sleep(5000)]);
    return freedMs;
  }
}

const results = [];
function record(name, ok, detail = '') {
  results.push(ok);
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `  (${detail})` : ''}\n`);
  return ok;
}

async function step(name, command, env, check = () => '') {
  const began = Date.now();
  const { code, output } = await run(command, { env });
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  const problem = code !== 0 ? `exit ${code}` : check(output);
  if (problem) process.stdout.write(`${output.trimEnd().split('\n').slice(-15).join('\n')}\n`);
  return record(name, !problem, problem || `${seconds} s`);
}

const between = (text, from, to) => {
  const start = text.indexOf(from);
  const end = text.indexOf(to, start + from.length);
  return start < 0 || end < 0 ? '' : text.slice(start + from.length, end);
};

/** The banner's web-SDK snippet, saved as it says (demo.mjs in the project folder) and run. */
async function snippetRuns(banner, env) {
  const snippet = between(banner, 'then run node demo.mjs\n', '\n\n');
  const file = join(ROOT, '.cache', 'walkthrough', 'demo.mjs');
  mkdirSync(join(ROOT, '.cache', 'walkthrough'), { recursive: true });
  writeFileSync(file, snippet);
  return step('the web-SDK snippet lists the demo habits', `node ${file}`, env, (output) =>
    output.includes('"demo-read"') ? '' : 'no demo-read habit in its answer',
  );
}

async function bannerCurlWorks(banner, env) {
  const curl = between(banner, 'sign in again for a new one):\n', '\n\n');
  return step('the banner curl line answers progress-get', curl, env, (output) =>
    output.includes('"result"') ? '' : `unexpected answer ${output.slice(0, 120)}`,
  );
}

/** docs/operations.md section 2, locally: edit the template, bump its version, wait up to 60 s. */
async function flagChangeReachesFunctions() {
  const original = readFileSync(TEMPLATE, 'utf8');
  const template = JSON.parse(original);
  const version = String(Number(template.version?.versionNumber ?? 0) + 1);
  template.version = { ...template.version, versionNumber: version };
  template.parameters.backfillRolloutPercentage.defaultValue = { value: '37' };
  const adminToken = await operatorIdToken();
  writeFileSync(TEMPLATE, `${JSON.stringify(template, null, 2)}\n`);
  try {
    const began = Date.now();
    while (Date.now() - began < 75_000) {
      const { result } = await callable('admin-flags', {}, adminToken);
      if (result?.templateVersion === version && result.flags?.backfillRolloutPercentage === 37) {
        return record(
          'a flag edited in the template reaches the functions',
          true,
          `${Math.round((Date.now() - began) / 1000)} s`,
        );
      }
      await sleep(2000);
    }
    return record('a flag edited in the template reaches the functions', false, 'not in 75 s');
  } finally {
    writeFileSync(TEMPLATE, original);
  }
}

async function callable(name, data, idToken) {
  const response = await fetch(`${FUNCTIONS}/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${idToken}` },
    body: JSON.stringify({ data }),
  });
  return response.json();
}

async function startAndCheck(name, args, env, expectInBanner) {
  const began = Date.now();
  const start = new NpmStart(args, env);
  const ready = await start.ready();
  const banner = start.output.slice(start.output.indexOf('==> Ready'));
  record(
    name,
    ready && banner.includes(expectInBanner),
    ready ? `${Math.round((Date.now() - began) / 1000)} s` : 'never ready',
  );
  if (!ready) process.stdout.write(`${start.output.split('\n').slice(-20).join('\n')}\n`);
  return { start, banner, ready };
}

async function stopAndCheck(start) {
  const freedMs = await start.interrupt();
  const saved = start.output.includes('Data saved to');
  return record(
    'Ctrl+C stops everything within 10 s and saves the data',
    freedMs <= STOP_LIMIT_MS && saved,
    `ports free after ${(freedMs / 1000).toFixed(1)} s${saved ? '' : ', data not saved'}`,
  );
}

/** Runs the walkthrough; resolves with its counts. */
export async function walkthrough() {
  results.length = 0;
  await walkthroughSteps();
  const passed = results.filter(Boolean).length;
  return { passed, failed: results.length - passed };
}

async function walkthroughSteps() {
  const dataDir = mkdtempSync(join(tmpdir(), 'habits-walkthrough-'));
  const env = { ...process.env, NPM_START_DATA_DIR: dataDir, NO_UPDATE_NOTIFIER: '1' };
  let start;
  try {
    const commands = readmeCommands(readFileSync(README, 'utf8'));
    record('README.md lists npm start and its commands', commands.includes('npm start'));
    for (const command of commands) {
      if (command === 'npm test') continue; // the command running this walkthrough
      if (command === 'npm start') {
        const first = await startAndCheck('npm start', [], env, 'Fresh demo data');
        start = first.start;
        if (!first.ready) return;
        await bannerCurlWorks(first.banner, env);
        await snippetRuns(first.banner, env);
        continue;
      }
      await step(command, command, env);
    }
    await flagChangeReachesFunctions();
    const before = await run('npm run ops -- status --json', { env });
    await stopAndCheck(start);

    const again = await startAndCheck('npm start again keeps the data', [], env, 'Data kept');
    start = again.start;
    if (!again.ready) return;
    const after = await run('npm run ops -- status --json', { env });
    const users = ({ output }) =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{') && line.includes('"usersByStatus"'))
        .map((line) => JSON.stringify(JSON.parse(line).usersByStatus))[0];
    record(
      'the migration state survives the restart',
      users(before) === users(after),
      `${users(before)} then ${users(after)}`,
    );
    await step(
      'npm run ops -- verify --sample 5 after the restart',
      'npm run ops -- verify --sample 5',
      env,
    );
    await stopAndCheck(start);

    const fresh = await startAndCheck(
      'npm start -- --fresh starts clean',
      ['--fresh'],
      env,
      'Fresh demo data',
    );
    start = fresh.start;
    if (fresh.ready) await stopAndCheck(start);
    start = undefined;
  } finally {
    if (start) await start.interrupt();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { passed, failed } = await walkthrough();
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
