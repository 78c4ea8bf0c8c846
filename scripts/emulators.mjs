#!/usr/bin/env node
// One launcher for the Firebase Emulator Suite, shared by `npm start` and `npm test`.
// On machines with the gcloud emulator packages (no internet) it points firebase-tools at them;
// elsewhere it leaves firebase-tools to download its own emulators as usual.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECT_ID = 'demo-habits';
export const EMULATORS = 'functions,firestore,pubsub,tasks,auth';
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

function firebaseBin() {
  const local = join(ROOT, 'node_modules', '.bin', 'firebase');
  return existsSync(local) ? local : 'firebase';
}

/** Runs `firebase emulators:<mode>`; resolves with its exit code. */
export function runEmulators(mode, extraArgs = [], env = process.env) {
  const args = [`emulators:${mode}`, '--only', EMULATORS, '--project', PROJECT_ID, ...extraArgs];
  const child = spawn(firebaseBin(), args, { cwd: ROOT, env: emulatorEnv(env), stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((done) => child.on('exit', (code) => done(code ?? 1)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode !== 'exec' && mode !== 'start') {
    process.stderr.write('usage: node scripts/emulators.mjs exec "<command>" | start\n');
    process.exit(2);
  }
  process.exit(await runEmulators(mode, rest));
}
