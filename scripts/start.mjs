#!/usr/bin/env node
// `npm start [-- --fresh]`: builds the functions, runs the Emulator Suite with them and the CloudKit
// simulator with demo data, and prints a short readiness summary last. Their logs go to files.
// Firestore, Auth and the simulator's data are saved together on Ctrl+C and loaded on the next
// start; --fresh starts clean.
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAll } from './build.mjs';
import { FUNCTIONS, seedDemo } from './demo-data.mjs';
import {
  assertPortsFree,
  ensureInstalled,
  prepareFunctionsEnv,
  removeLocalEnv,
  ROOT,
  spawnFirebase,
  startSimulator,
  stopFirebase,
  stopSimulator,
} from './emulators.mjs';
import { LocalData } from './local-data.mjs';
import { readinessBanner } from './start-banner.mjs';

const USAGE = `usage: npm start [-- --fresh]
  --fresh   start with no data: forget the Firestore, Auth and CloudKit simulator data
            saved by the last Ctrl+C (in .cache/local-data) and load the demo data again`;

const { values: options } = (() => {
  try {
    return parseArgs({ options: { fresh: { type: 'boolean' }, help: { type: 'boolean' } } });
  } catch (error) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
})();
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

// Ctrl+C must stop everything within 10 s: firebase-tools gets 6.5 s to save and stop its emulators.
const FIREBASE_STOP_GRACE_MS = 6500;
const READY_TIMEOUT_MS = 240_000;
const LOG_DIR = join(ROOT, '.cache', 'logs');
const show = (path) => relative(process.cwd(), path) || '.';
const say = (line) => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

ensureInstalled();
await assertPortsFree();
say('Building the functions and the CloudKit simulator...');
if (!buildAll()) process.exit(1);

const began = Date.now();
// NPM_START_DATA_DIR: where the README walkthrough keeps its runs apart from a developer's data.
const data = new LocalData(process.env.NPM_START_DATA_DIR ?? join(ROOT, '.cache', 'local-data'));
const kept = options.fresh ? data.forget() : data.restore();
prepareFunctionsEnv();
mkdirSync(LOG_DIR, { recursive: true });
const logs = {
  emulators: join(LOG_DIR, 'emulators.log'),
  simulator: join(LOG_DIR, 'cloudkit-sim.log'),
};
const logTo = (file) => {
  const fd = openSync(file, 'w');
  return { stdio: ['ignore', fd, fd], close: () => closeSync(fd) };
};
const simulatorLog = logTo(logs.simulator);
const emulatorLog = logTo(logs.emulators);
say(`Starting the emulators (logs: ${show(logs.emulators)}, ${show(logs.simulator)})...`);

const simulator = await startSimulator({
  dataFile: data.simulatorFile,
  stdio: simulatorLog.stdio,
});
const firebase = spawnFirebase('start', data.firebaseArgs(), emulatorLog.stdio);

let stopping;
async function stop(reason) {
  const stopAt = Date.now();
  say(`\n${reason}: stopping the emulators and the simulator, saving data...`);
  // The simulator stays up until the functions have stopped: a delivery still running would
  // otherwise wait out its CloudKit timeout and hold up firebase-tools' shutdown.
  await stopFirebase(firebase, FIREBASE_STOP_GRACE_MS);
  await stopSimulator(simulator);
  removeLocalEnv();
  simulatorLog.close();
  emulatorLog.close();
  // The export is complete once its metadata is in place, even if a function then kept
  // firebase-tools from exiting by itself in time.
  if (data.exportedSince(stopAt)) {
    data.saveSimulator();
    say(
      `Stopped. Data saved to ${show(data.dir)}; npm start loads it, npm start -- --fresh starts clean.`,
    );
    return 0;
  }
  say(
    `Stopped, but the emulators did not save their data in time (see ${show(logs.emulators)}): ` +
      'the next npm start loads the data of the last clean stop.',
  );
  return 1;
}
const onSignal = (signal) => {
  stopping ??= stop(signal === 'SIGINT' ? 'Ctrl+C' : signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);

const firebaseExit = new Promise((done) => firebase.once('exit', (code) => done(code ?? 1)));

/** Ready once the functions answer: firebase-tools has loaded every trigger by then. */
async function functionsAnswer() {
  try {
    const response = await fetch(`${FUNCTIONS}/progress-get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":{}}',
    });
    return response.status !== 404;
  } catch {
    return false;
  }
}

async function waitUntilReady() {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until) {
    const log = readFileSync(logs.emulators, 'utf8');
    if (log.includes('All emulators ready') && (await functionsAnswer())) return true;
    if (firebase.exitCode !== null || stopping) return false;
    await sleep(250);
  }
  return false;
}

function tail(file, lines) {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

if (!(await waitUntilReady())) {
  if (!stopping) {
    process.stderr.write(
      `The emulators did not become ready. The end of ${show(logs.emulators)}:\n${tail(logs.emulators, 30)}\n`,
    );
    stopping = stop('Not ready');
  }
  await stopping;
  process.exit(1);
}

let demo;
try {
  demo = await seedDemo();
} catch (error) {
  process.stderr.write(`Loading the demo data failed: ${error.message}\n`);
  process.exit(await (stopping ??= stop('Demo data failed')));
}
say(
  readinessBanner({
    demo,
    logs: { emulators: show(logs.emulators), simulator: show(logs.simulator) },
    dataDir: show(data.dir),
    kept: kept && !demo.created,
    seconds: Math.round((Date.now() - began) / 1000),
  }),
);

// Ctrl+C stops the emulators; if they end by themselves instead, their log says why.
const code = await firebaseExit;
if (!stopping) {
  process.stderr.write(`The emulators exited (code ${code}); see ${show(logs.emulators)}.\n`);
  stopping = stop('Emulators exited');
}
process.exit(await stopping);
