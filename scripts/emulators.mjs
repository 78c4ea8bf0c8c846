#!/usr/bin/env node
// One launcher for the Firebase Emulator Suite, shared by `npm start` and `npm test`.
// On machines with the gcloud emulator packages (no internet) it points firebase-tools at them;
// elsewhere it leaves firebase-tools to download its own emulators as usual.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyPorts, describeBusyPorts, spawnGroup, stopGroup } from './processes.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECT_ID = 'demo-habits';
export const EMULATORS = 'functions,firestore,pubsub,tasks,auth,hosting';
const CACHE = join(ROOT, '.cache', 'emulators');

function installedFile(debPackage, suffix) {
  const listed = spawnSync('dpkg', ['-L', debPackage], { encoding: 'utf8' });
  if (listed.status !== 0) return undefined;
  return listed.stdout.split('\n').find((line) => line.endsWith(suffix));
}

// The gcloud Firestore jar has no Main-Class, and firebase-tools runs `java -jar <path>`:
// a jar holding only a manifest that names the main class and points at the real jar fixes that.
function firestoreLauncherJar(gcloudJar) {
  mkdirSync(CACHE, { recursive: true });
  const manifest = join(CACHE, 'MANIFEST.MF');
  const launcher = join(CACHE, 'firestore-launcher.jar');
  writeFileSync(
    manifest,
    [
      'Main-Class: com.google.cloud.datastore.emulator.firestore.CloudFirestore',
      `Class-Path: file:${gcloudJar}`,
      '',
    ].join('\n'),
  );
  const built = spawnSync('jar', ['cfm', launcher, manifest], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`could not build ${launcher}: ${built.stderr}`);
  return launcher;
}

export function emulatorEnv(base = process.env) {
  const env = { ...base, NO_UPDATE_NOTIFIER: '1', FIREBASE_CLI_EXPERIMENTS: '' };
  const firestoreJar = installedFile(
    'google-cloud-cli-firestore-emulator',
    'cloud-firestore-emulator.jar',
  );
  if (firestoreJar && !env.FIRESTORE_EMULATOR_BINARY_PATH) {
    env.FIRESTORE_EMULATOR_BINARY_PATH = firestoreLauncherJar(firestoreJar);
  }
  const pubsub = installedFile('google-cloud-cli-pubsub-emulator', 'bin/cloud-pubsub-emulator');
  if (pubsub && !env.PUBSUB_EMULATOR_BINARY_PATH) env.PUBSUB_EMULATOR_BINARY_PATH = pubsub;
  return env;
}

/** Lets `npm start` and `npm test` work straight after a clone: install from the lockfile first. */
export function ensureInstalled() {
  if (existsSync(join(ROOT, 'node_modules', '.bin', 'firebase'))) return;
  process.stdout.write('Installing dependencies (npm ci)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const installed = spawnSync(npm, ['ci'], { cwd: ROOT, stdio: 'inherit' });
  if (installed.status !== 0) process.exit(installed.status ?? 1);
}

const SIM_DIR = join(ROOT, '.cache', 'cloudkit-sim');
export const SIM_PORT = 4010; // functions/.env.demo-habits points CLOUDKIT_BASE_URL here
export const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;

/** firebase.json's emulators: where each listens. */
export const EMULATOR_CONFIG = JSON.parse(
  readFileSync(join(ROOT, 'firebase.json'), 'utf8'),
).emulators;

/** Every port a local stack listens on, by name. */
export function stackPorts() {
  const ports = { 'cloudkit-sim': SIM_PORT };
  for (const [name, config] of Object.entries(EMULATOR_CONFIG)) {
    if (typeof config === 'object' && config.port) ports[name] = config.port;
  }
  return ports;
}

/** Refuses to start beside a stack that is still running: its ports would be taken. */
export async function assertPortsFree() {
  const busy = await busyPorts(stackPorts());
  if (busy.length === 0) return;
  process.stderr.write(`${describeBusyPorts(busy)}\n`);
  process.exit(1);
}
const SECRETS_FILE = join(ROOT, 'functions', '.secret.local');
const SERVER_PUBLIC_KEY = join(SIM_DIR, 'server-public.pem');

/**
 * The emulated functions read their secrets from functions/.secret.local. Nothing secret is
 * committed: this makes a fresh server key pair (the simulator gets the public half) and token key.
 */
function prepareLocalSecrets() {
  if (existsSync(SECRETS_FILE) && existsSync(SERVER_PUBLIC_KEY)) return;
  mkdirSync(SIM_DIR, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(SERVER_PUBLIC_KEY, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  writeFileSync(
    SECRETS_FILE,
    [
      'CLOUDKIT_API_TOKEN=sim-api-token',
      `CLOUDKIT_SERVER_PRIVATE_KEY="${privatePem.trim().replace(/\n/g, '\\n')}"`,
      `LEGACY_TOKEN_ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`,
      '',
    ].join('\n'),
  );
}

const LOCAL_ENV_FILE = join(ROOT, 'functions', '.env.local');
export const TEST_FLAGS_FILE = join(ROOT, '.cache', 'flags', 'remote-config.template.json');

/**
 * What tests and benches change about the functions (functions/.env.local, removed on exit):
 * - `fastFlags`: flags from a scratch copy of the committed template, trusted for a second
 *   instead of a minute, so a test publishes flags as an operator does without touching the file
 *   `npm start` reads;
 * - `flushTelemetryEachCall`: callables await their telemetry, so a test reads counters right
 *   after a call. Production and `npm start` answer first and flush in the background.
 * `npm start` sets neither: it runs as functions/.env.demo-habits says, as docs/operations.md does.
 */
function prepareLocalEnv({ fastFlags = false, flushTelemetryEachCall = false }) {
  rmSync(LOCAL_ENV_FILE, { force: true });
  const lines = [];
  if (fastFlags) {
    mkdirSync(dirname(TEST_FLAGS_FILE), { recursive: true });
    copyFileSync(join(ROOT, 'config', 'remote-config.template.json'), TEST_FLAGS_FILE);
    lines.push(`FLAGS_TEMPLATE_FILE=${TEST_FLAGS_FILE}`, 'FLAG_CACHE_TTL_SECONDS=1');
  }
  if (flushTelemetryEachCall) lines.push('TELEMETRY_FLUSH_EACH_CALL=true');
  if (lines.length > 0) writeFileSync(LOCAL_ENV_FILE, `${lines.join('\n')}\n`);
}

/** How tests run the functions: flags they can change at once, counters they can read at once. */
export const TEST_SETTINGS = { fastFlags: true, flushTelemetryEachCall: true };

async function waitForSimulator(url, child) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error('the CloudKit simulator exited at start');
    try {
      if ((await fetch(`${url}/__sim/users`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the CloudKit simulator did not answer at ${url}`);
}

/**
 * The local CloudKit Web Services simulator, beside the emulators, with demo users (seeded when
 * `dataFile` holds none). `stdio` as for spawn: inherited by tests, a log file for npm start.
 */
export async function startSimulator({ dataFile, stdio = ['ignore', 'inherit', 'inherit'] }) {
  const args = [
    join(ROOT, 'tools', 'cloudkit-sim', 'dist', 'cli.js'),
    ...['--port', String(SIM_PORT), '--data', dataFile, '--users', '5', '--days', '60'],
    ...['--server-key-id', 'sim-server-key', '--server-public-key-file', SERVER_PUBLIC_KEY],
  ];
  const child = spawnGroup(process.execPath, args, { cwd: ROOT, stdio });
  await waitForSimulator(SIM_URL, child);
  return child;
}

/** Stops the simulator; SIGTERM lets it finish writing its data file. */
export const stopSimulator = (child) => stopGroup(child, { stopSignal: 'SIGTERM', graceMs: 2000 });

function firebaseBin() {
  const local = join(ROOT, 'node_modules', '.bin', 'firebase');
  return existsSync(local) ? local : 'firebase';
}

/** Writes what the emulated functions read besides the committed env file (see prepareLocalEnv). */
export function prepareFunctionsEnv(settings = {}) {
  prepareLocalSecrets();
  prepareLocalEnv(settings);
}

export const removeLocalEnv = () => rmSync(LOCAL_ENV_FILE, { force: true });

/** `firebase emulators:<mode>` in a process group of its own (see processes.mjs). */
export function spawnFirebase(mode, extraArgs, stdio) {
  const args = [`emulators:${mode}`, '--only', EMULATORS, '--project', PROJECT_ID, ...extraArgs];
  const env = { ...emulatorEnv(), CLOUDKIT_SIM_URL: SIM_URL };
  return spawnGroup(firebaseBin(), args, { cwd: ROOT, env, stdio });
}

/** firebase-tools stops its emulators on one SIGINT; then whatever is left is killed. */
export const stopFirebase = (child, graceMs) => stopGroup(child, { stopSignal: 'SIGINT', graceMs });

/**
 * Runs `firebase emulators:exec <command>` with the simulator on a fresh copy of its demo data, as
 * tests and benches do; resolves with the exit code. Ctrl+C stops everything it started.
 */
export async function runEmulators(mode, extraArgs = [], settings = {}) {
  await assertPortsFree();
  prepareFunctionsEnv(settings);
  const dataFile = join(SIM_DIR, 'test-data.json');
  rmSync(dataFile, { force: true });
  const simulator = await startSimulator({ dataFile });
  const child = spawnFirebase(mode, extraArgs, ['ignore', 'inherit', 'inherit']);
  let stopping;
  const stop = () => {
    stopping ??= stopFirebase(child, 8000);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise((done) => child.on('exit', (exit) => done(exit ?? 1)));
  await Promise.all([stopping ?? stopFirebase(child, 0), stopSimulator(simulator)]);
  removeLocalEnv();
  return code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode !== 'exec' && mode !== 'start') {
    process.stderr.write('usage: node scripts/emulators.mjs exec "<command>" | start\n');
    process.exit(2);
  }
  // `exec` here runs a test command (package.json's test:emulators).
  process.exit(await runEmulators(mode, rest, mode === 'exec' ? TEST_SETTINGS : {}));
}
