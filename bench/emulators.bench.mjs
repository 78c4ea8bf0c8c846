#!/usr/bin/env node
// The migration's costs side by side on the whole emulator stack, as a user runs it: the backfill
// started by a Pub/Sub message against a BulkWriter writing as many documents, the callables'
// latency with dual-write on and off through the web SDK, snapshot-get's three answers, and the
// backfill worker's peak heap. Prints one markdown table (progress goes to stderr).
// `npm run bench:emulators` starts the emulators and the CloudKit simulator, then runs this with
// --expose-gc. Flags: --check exits 1 when a target is missed; --write-docs puts the table into
// docs/benchmarks.md between its bench:emulators markers.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PubSub } from '@google-cloud/pubsub';
import { deleteApp, initializeApp as initializeClientApp } from 'firebase/app';
import { connectAuthEmulator, createUserWithEmailAndPassword, getAuth } from 'firebase/auth';
import { connectFunctionsEmulator, getFunctions, httpsCallable } from 'firebase/functions';
import { PROJECT_ID, ROOT } from '../scripts/emulators.mjs';
import {
  completionEntity,
  completionRecord,
  dayAfterStart,
  emulatorHost,
  eventually,
  functionsEnv,
  habitEntity,
  habitRecord,
  legacyUserRecords,
  lib,
  linkedLegacyUser,
  markdownTable,
  median,
  percentile,
  publishFlags,
  putLegacyRecords,
  quietConsole,
  replaceBetweenMarkers,
  resetFlags,
  sim,
  SIM_URL,
  streakRecord,
  useEmulators,
} from './support.mjs';

const print = quietConsole();
const progress = (line) => process.stderr.write(`[bench:emulators] ${line}\n`);
const options = new Set(process.argv.slice(2));
/** `--only=backfill,heap`: some parts alone, while working on one of them. */
const PARTS = ['dual-write', 'snapshot', 'backfill', 'heap'];
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const runs = (part) => !only || only.includes(part);
if (only?.some((part) => !PARTS.includes(part)) || (only && options.has('--write-docs'))) {
  process.stderr.write(`--only takes ${PARTS.join(', ')}; the docs take the whole table\n`);
  process.exit(2);
}
const benchStarted = performance.now();

// What is measured, and how often. Sizes are multiples of 1,000 records (support.mjs).
/**
 * Runs of each kind before the measured ones, not counted: the first backfill meets the worker's
 * cold start and the Firestore emulator's JVM before its JIT has compiled the write path (the first
 * runs came out up to twice as slow as the later ones), and the BulkWriter would be timed warm.
 */
const BACKFILL_WARM_UP = { records: 2_000, runs: 2 };
const BACKFILL_RUNS = [
  { records: 2_000, runs: 3 },
  { records: 5_000, runs: 3 },
  { records: 20_000, runs: 2 },
];
const DUAL_WRITE = { warmUp: 10, blocks: 4, callsPerBlock: 30 };
const SNAPSHOT = { warmUp: 3, rounds: 30 };
const HEAP_RECORDS = [2_000, 100_000];
/** The heap is sampled after a full collection: what the worker holds, not garbage not yet freed. */
const HEAP_SAMPLE_MS = 250;
const POLL_MS = 250;

useEmulators();
const require = createRequire(import.meta.url);
const { initializeApp } = require('firebase-admin/app');
const { getFirestore } = require('firebase-admin/firestore');
const { config } = lib('config');
const { flagDefaults } = lib('flags/flagDefaults');
const { CloudKitLegacyStore } = lib('data/legacy/cloudkit/cloudKitLegacyStore');
const { FirestoreWebAuthTokenStore } = lib('data/legacy/firestoreWebAuthTokenStore');
const { TokenCipher } = lib('data/legacy/tokenCipher');
const { FirestoreHabitRepository } = lib('data/firestore/firestoreHabitRepository');
const { MigrationStateStore } = lib('migration/migrationStateStore');
const { BackfillRequests } = lib('migration/backfillRequests');
const { BackfillJob } = lib('migration/backfillJob');

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run it with `npm run bench:emulators` (it needs node --expose-gc)\n');
  process.exit(2);
}

/** The emulated functions' project: what the backfill and the callables write. */
const db = getFirestore(initializeApp({ projectId: PROJECT_ID }, 'bench-emulators'));
/**
 * A project of its own on the same emulator, for the BulkWriter baseline and the in-process
 * worker: no trigger of the emulated functions sees their writes, so nothing else runs meanwhile.
 */
const scratch = getFirestore(initializeApp({ projectId: 'demo-bench' }, 'bench-scratch'));
const pubsub = new PubSub({ projectId: PROJECT_ID });

// ---------------------------------------------------------------------------------------------
// The app: the Firebase web SDK, as test/emulator/support/client.ts uses it
// ---------------------------------------------------------------------------------------------

const clientApps = [];

/** A newly signed-up user of the app, calling the callables as the mobile app does. */
async function appUser() {
  const app = initializeClientApp(
    { projectId: PROJECT_ID, apiKey: 'demo-api-key', authDomain: `${PROJECT_ID}.firebaseapp.com` },
    `bench-${randomUUID()}`,
  );
  clientApps.push(app);
  const auth = getAuth(app);
  connectAuthEmulator(auth, emulatorHost('auth').origin, { disableWarnings: true });
  const functions = getFunctions(app, 'us-central1');
  connectFunctionsEmulator(
    functions,
    emulatorHost('functions').host,
    emulatorHost('functions').port,
  );
  const email = `bench-${randomUUID()}@example.com`;
  const { user } = await createUserWithEmailAndPassword(auth, email, 'password-123');
  const call = async (name, data = {}) =>
    (await httpsCallable(functions, name, { timeout: 150_000 })(data)).data;
  /** One call, timed as the app sees it: SDK, HTTP, emulator, function and Firestore. */
  const timed = async (name, data) => {
    const started = performance.now();
    const answer = await call(name, data);
    return { ms: performance.now() - started, answer };
  };
  return { uid: user.uid, call, timed };
}

/** Back-dated days, one per call, so every completions-log logs a day not logged before. */
function dayCounter() {
  let n = 0;
  return () => {
    n += 1;
    return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  };
}

// ---------------------------------------------------------------------------------------------
// The backfill as an operator starts it: a Pub/Sub message, then the state document
// ---------------------------------------------------------------------------------------------

/** Busy and total CPU time of the whole machine so far (Linux's /proc/stat, in clock ticks). */
async function cpuTicks() {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, n) => sum + n, 0);
  return { busy: total - idle, total };
}

const QUIET = { windowMs: 60, busyShare: 0.15, windows: 2, timeoutMs: 5_000 };
let quietTimeouts = 0;

/**
 * Until the machine is quiet: `windows` windows in a row with under `busyShare` of its CPU busy.
 * Work the last call left behind on this machine (a trigger, a task's tail, the emulators'
 * bookkeeping) runs elsewhere in production; a measured call starts once it is over. A machine
 * never that quiet is counted (the table says so) rather than waited on forever.
 */
async function machineQuiet() {
  const deadline = Date.now() + QUIET.timeoutMs;
  let quietWindows = 0;
  let last = await cpuTicks();
  while (quietWindows < QUIET.windows) {
    if (Date.now() > deadline) {
      quietTimeouts += 1;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, QUIET.windowMs));
    const now = await cpuTicks();
    const share = (now.busy - last.busy) / Math.max(1, now.total - last.total);
    quietWindows = share < QUIET.busyShare ? quietWindows + 1 : 0;
    last = now;
  }
}

const publishBackfill = (message) =>
  pubsub.topic('migration-backfill').publishMessage({ data: Buffer.from(JSON.stringify(message)) });

const FINISHED = new Set(['completed', 'completed_with_errors', 'failed']);
const migrationState = async (uid) => (await db.doc(`users/${uid}/meta/migration`).get()).data();

/**
 * Publishes the user's backfill and polls its state every 250 ms until it finishes. The run is
 * timed from the publish to the state's own `completedAt` (this machine's clock, as the emulated
 * worker's), so the polling interval adds nothing to it. The streak step is the state's own times
 * too: from the commit that ended the stream (the first state seen with `streamEnded` and not yet
 * finished) to `completedAt`. `dispatchMs`: from the publish to the first task's `startedAt`
 * (Pub/Sub, the request, the Cloud Tasks emulator's dispatch).
 */
async function backfillOverPubSub(uid, timeoutMs = 600_000) {
  const published = Date.now();
  await publishBackfill({ type: 'user', uid });
  let streamEnded;
  const state = await eventually(
    async () => {
      const s = await migrationState(uid);
      if (s?.streamEnded && !FINISHED.has(s.status)) streamEnded ??= s;
      return FINISHED.has(s?.status) ? s : undefined;
    },
    { timeoutMs, intervalMs: POLL_MS, what: `the backfill of ${uid}` },
  );
  if (state.status !== 'completed') throw new Error(`backfill of ${uid} ended ${state.status}`);
  const completedAt = Date.parse(state.completedAt);
  const streakMs = streamEnded ? completedAt - Date.parse(streamEnded.updatedAt) : undefined;
  const dispatchMs = Date.parse(state.startedAt) - published;
  return { ms: completedAt - published, streakMs, dispatchMs };
}

/** A BulkWriter at full speed writing `total` documents shaped like a migrated user's. */
async function bulkWriterRun(total) {
  const user = `users/scratch-${randomUUID()}`;
  const writes = [];
  for (let h = 0; h < total / 1_000; h += 1) {
    const id = randomUUID();
    writes.push([`${user}/habits/${id}`, habitEntity(id)]);
    writes.push([`${user}/streaks/${id}`, { habitId: id, current: 0, longest: 3 }]);
    writes.push([`${user}/xpEvents/${id}-opening`, { id: `${id}-opening`, delta: 100 }]);
    for (let d = 0; d < 997; d += 1) {
      const day = completionEntity(id, dayAfterStart(d));
      writes.push([`${user}/completions/${day.id}`, day]);
    }
  }
  const writer = scratch.bulkWriter({ throttling: false });
  let failed = 0;
  const started = performance.now();
  for (const [path, data] of writes) {
    writer.set(scratch.doc(path), data).catch(() => (failed += 1));
  }
  await writer.close();
  const ms = performance.now() - started;
  if (failed > 0) throw new Error(`the BulkWriter baseline failed ${failed} writes`);
  return ms;
}

/** Row 1: backfill k, baseline k, interleaved, so drift in the machine's load hits both alike. */
async function measureBackfill() {
  for (let run = 1; run <= BACKFILL_WARM_UP.runs; run += 1) {
    const uid = await linkedLegacyUser(db, `bench-warm-up-${randomUUID()}`);
    await putLegacyRecords(uid, legacyUserRecords(BACKFILL_WARM_UP.records));
    await machineQuiet();
    const { ms } = await backfillOverPubSub(uid);
    await machineQuiet();
    const bulk = await bulkWriterRun(BACKFILL_WARM_UP.records);
    progress(
      `warm-up ${run}: backfill ${seconds(ms)} s, BulkWriter ${seconds(bulk)} s (not counted)`,
    );
  }
  const results = [];
  for (const { records, runs } of BACKFILL_RUNS) {
    const backfill = [];
    const streak = [];
    const dispatch = [];
    const bulk = [];
    for (let run = 1; run <= runs; run += 1) {
      const uid = await linkedLegacyUser(db, `bench-backfill-${randomUUID()}`);
      await putLegacyRecords(uid, legacyUserRecords(records));
      await machineQuiet();
      const { ms, streakMs, dispatchMs } = await backfillOverPubSub(uid);
      backfill.push(ms);
      dispatch.push(dispatchMs);
      if (streakMs !== undefined) streak.push(streakMs);
      await machineQuiet();
      bulk.push(await bulkWriterRun(records));
      progress(
        `backfill ${records} records, run ${run}/${runs}: ${seconds(ms)} s, of it` +
          ` ${seconds(dispatchMs)} s to the first task (BulkWriter ${seconds(bulk.at(-1))} s)`,
      );
    }
    results.push({ records, backfill, streak, dispatch, bulk });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Dual-write on and off
// ---------------------------------------------------------------------------------------------

/**
 * A user as dual-write serves them: migrated from CloudKit (a habit with 60 days) and linked
 * through `legacy-link` as the app links at launch, so dual-write's deliveries reach CloudKit.
 */
async function migratedAppUser() {
  const user = await appUser();
  const habitId = randomUUID();
  await sim('POST', '/__sim/users', { uid: user.uid });
  await putLegacyRecords(user.uid, [
    habitRecord(habitId),
    streakRecord(habitId, 3),
    ...Array.from({ length: 60 }, (_, d) => completionRecord(habitId, dayAfterStart(d))),
  ]);
  const { webAuthToken } = await sim('POST', '/__sim/tokens', { uid: user.uid });
  await user.call('legacy-link', { webAuthToken });
  await backfillOverPubSub(user.uid);
  return { ...user, habitId, nextDay: dayCounter() };
}

/**
 * A user never linked to CloudKit: with dual-write on, each write's outbox entry waits for a link
 * (`awaiting_link`) and stays, so an entry created after a write began shows the mode was on for
 * it, and none shows it was off. The flags are the same for every user; the mode is per call.
 */
async function probeUser() {
  const user = await appUser();
  const { id } = await user.call('habits-create', { name: 'Probe', schedule: { type: 'daily' } });
  return { ...user, habitId: id, nextDay: dayCounter(), writes: 0 };
}

async function outboxEntrySince(uid, since, kind) {
  const entries = await db
    .collection(`users/${uid}/legacyOutbox`)
    .where('createdAt', '>=', since)
    .get();
  return entries.docs.some((doc) => doc.get('kind') === kind);
}

/** Whether each measured callable dual-writes now: one probe write through each. */
async function dualWriteInForce(probe) {
  probe.writes += 1;
  let since = new Date().toISOString();
  await probe.call('habits-update', { id: probe.habitId, name: `Probe ${probe.writes}` });
  const update = await outboxEntrySince(probe.uid, since, 'habit');
  since = new Date().toISOString();
  await probe.call('completions-log', { habitId: probe.habitId, date: probe.nextDay() });
  const log = await outboxEntrySince(probe.uid, since, 'completion');
  return { update, log };
}

/** Publishes the flag, then waits (with a deadline) until both callables write in that mode. */
async function setDualWrite(on, probe) {
  publishFlags({ dualWriteEnabled: on });
  await eventually(
    async () => {
      const mode = await dualWriteInForce(probe);
      return mode.update === on && mode.log === on ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `dual-write ${on ? 'on' : 'off'}` },
  );
}

/** Dual-write's deliveries to CloudKit are done: nothing of the last call runs on any more. */
async function outboxDrained(uid) {
  const outbox = db.collection(`users/${uid}/legacyOutbox`);
  // The drain ends after the outbox empties: its lease and CloudKit's conversation lease go last.
  const leases = [db.doc(`outboxDrains/${uid}`), db.doc(`legacyConversations/${uid}`)];
  const quiet = async () => {
    const [entries, ...held] = await Promise.all([
      outbox.limit(1).get(),
      ...leases.map((ref) => ref.get()),
    ]);
    return entries.empty && held.every((snap) => !snap.exists);
  };
  await eventually(async () => ((await quiet()) ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 20,
    what: `the delivery of ${uid}'s outbox`,
  });
}

/**
 * Deliveries to CloudKit counted so far: each drain task writes its counts as its very last step
 * (triggers/flushingTelemetry), after its leases are gone, so a count reached means the task that
 * delivered it has ended.
 */
async function deliveriesCounted() {
  const shards = await db.collection('ops').doc('telemetry').collection('hours').listDocuments();
  const counts = await Promise.all(shards.map((hour) => hour.collection('shards').get()));
  let total = 0;
  for (const shard of counts.flatMap((snap) => snap.docs)) {
    for (const n of Object.values(shard.get('legacyDelivery') ?? {})) total += n;
  }
  return total;
}

/** The records each measured call changes in CloudKit: what dual-write delivers after it. */
const DELIVERIES = { 'habits-update': 1, 'completions-log': 3 };

/**
 * One measured call; it starts once the deliveries of the call before have ended: the outbox is
 * empty, the leases are gone, and (dual-write on) the drain tasks have counted them. On these two
 * cores the emulated delivery would otherwise run beside the call being timed, where in production
 * it runs on other instances. What is timed is the request path alone.
 */
async function quietCall(user, on, name, data) {
  await outboxDrained(user.uid);
  const before = on ? await deliveriesCounted() : 0;
  await machineQuiet();
  const { ms } = await user.timed(name, data);
  if (on) {
    await eventually(
      async () => ((await deliveriesCounted()) >= before + DELIVERIES[name] ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 20, what: `the deliveries of ${name} counted` },
    );
  }
  await outboxDrained(user.uid);
  return ms;
}

/** One call of each measured callable on the user's habit; returns their times. */
async function dualWriteCalls(user, on, count) {
  const update = [];
  const log = [];
  for (let i = 0; i < count; i += 1) {
    const name = `Read ${randomUUID().slice(0, 8)}`;
    update.push(await quietCall(user, on, 'habits-update', { id: user.habitId, name }));
    const day = { habitId: user.habitId, date: user.nextDay() };
    log.push(await quietCall(user, on, 'completions-log', day));
  }
  return { update, log };
}

/**
 * Row 2: blocks alternate off, on, on, off, off, on, ... so the flag changes every other block and
 * each mode comes first as often as last. Both modes are warmed up first.
 */
async function measureDualWrite() {
  const user = await migratedAppUser();
  const probe = await probeUser();
  const samples = { on: { update: [], log: [] }, off: { update: [], log: [] } };
  for (const on of [true, false]) {
    await setDualWrite(on, probe);
    await dualWriteCalls(user, on, DUAL_WRITE.warmUp);
  }
  let current = false;
  for (let block = 0; block < DUAL_WRITE.blocks; block += 1) {
    for (const on of block % 2 === 0 ? [false, true] : [true, false]) {
      if (on !== current) await setDualWrite(on, probe);
      current = on;
      await outboxDrained(user.uid);
      const times = await dualWriteCalls(user, on, DUAL_WRITE.callsPerBlock);
      const mode = samples[on ? 'on' : 'off'];
      mode.update.push(...times.update);
      mode.log.push(...times.log);
    }
    progress(
      `dual-write block ${block + 1}/${DUAL_WRITE.blocks}` +
        (quietTimeouts > 0 ? ` (${quietTimeouts} calls started on a machine never quiet)` : ''),
    );
  }
  resetFlags();
  await setDualWrite(flagDefaults.dualWriteEnabled, probe); // the committed template, in force
  return { samples, user };
}

// ---------------------------------------------------------------------------------------------
// snapshot-get
// ---------------------------------------------------------------------------------------------

/**
 * Row 3: each round writes (a new data version, so the next full read is a cache miss), then asks
 * without a version (miss), again (the instance's cached snapshot of that version), and with the
 * version it got (`notModified`, one document read).
 */
async function measureSnapshots(user) {
  const times = { full: [], cached: [], notModified: [] };
  let unexpected = 0;
  for (let round = 0; round < SNAPSHOT.warmUp + SNAPSHOT.rounds; round += 1) {
    await user.call('habits-update', { id: user.habitId, name: `Snapshot ${round}` });
    const full = await user.timed('snapshot-get', {});
    const cached = await user.timed('snapshot-get', {});
    const notModified = await user.timed('snapshot-get', { sinceVersion: full.answer.version });
    if (cached.answer.version !== full.answer.version || !notModified.answer.notModified) {
      unexpected += 1;
    }
    if (round < SNAPSHOT.warmUp) continue;
    times.full.push(full.ms);
    times.cached.push(cached.ms);
    times.notModified.push(notModified.ms);
  }
  if (unexpected > 0) progress(`snapshot-get: ${unexpected} rounds answered unexpectedly`);
  return times;
}

// ---------------------------------------------------------------------------------------------
// The backfill worker's heap
// ---------------------------------------------------------------------------------------------

/** The CloudKit adapter the functions use, pointed at the simulator with their secrets. */
function legacyStore(tokens) {
  const env = functionsEnv();
  return new CloudKitLegacyStore(
    {
      baseUrl: SIM_URL,
      container: 'iCloud.com.example.habits',
      environment: 'development',
      apiToken: env.CLOUDKIT_API_TOKEN,
      serverKey: { keyId: 'sim-server-key', privateKeyPem: env.CLOUDKIT_SERVER_PRIVATE_KEY },
      timeoutMs: config.legacyTimeoutMs,
      maxRetries: config.legacyMaxRetries,
    },
    tokens,
  );
}

/**
 * The production BackfillJob in this process (as test/emulator/support/backfill.ts runs it), its
 * tasks queued in memory and run one after another: only this process's heap is in the figure.
 */
function inProcessWorker() {
  const states = new MigrationStateStore(scratch);
  const queue = [];
  const tasks = {
    enqueueBatch: async (uid, dryRun, next) =>
      queue.push({ uid, runId: next.runId, batch: next.batch, dryRun }),
    enqueueFanOut: async () => undefined,
  };
  const telemetry = { record: async () => undefined };
  const cipher = new TokenCipher(functionsEnv().LEGACY_TOKEN_ENCRYPTION_KEY);
  const job = new BackfillJob({
    db: scratch,
    states,
    legacy: legacyStore(new FirestoreWebAuthTokenStore(scratch, cipher)),
    tasks,
    telemetry,
    flags: async () => flagDefaults,
    finishStreaks: (uid, maintainedBy) =>
      new FirestoreHabitRepository(scratch).finishStreaks(uid, maintainedBy),
    leaseMs: config.backfillLeaseMs,
    taskBudgetMs: config.backfillTaskBudgetMs,
  });
  return { states, queue, job, requests: new BackfillRequests(states, tasks, telemetry) };
}

/** Seeds a user of `records`, migrates them in this process, and samples the heap meanwhile. */
async function workerPeakHeap(records) {
  const uid = await linkedLegacyUser(scratch, `bench-heap-${randomUUID()}`);
  const seeding = performance.now();
  await putLegacyRecords(uid, legacyUserRecords(records));
  const seedMs = performance.now() - seeding;
  const worker = inProcessWorker();
  await worker.requests.request(uid, { force: false, dryRun: false });
  globalThis.gc();
  globalThis.gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sample = () => {
    globalThis.gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const sampler = setInterval(sample, HEAP_SAMPLE_MS);
  const started = performance.now();
  while (worker.queue.length > 0) {
    await worker.job.run(worker.queue.shift(), { owner: 'bench', finalAttempt: false });
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  sample();
  const state = await worker.states.get(uid);
  if (state.status !== 'completed') throw new Error(`in-process backfill ended ${state.status}`);
  progress(
    `worker heap ${records} records: seeded in ${seconds(seedMs)} s, migrated in ${seconds(ms)} s`,
  );
  return { growthMb: (peak - baseline) / 1e6, ms };
}

async function measureHeap() {
  const results = [];
  for (const records of HEAP_RECORDS) results.push({ records, ...(await workerPeakHeap(records)) });
  return results;
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const seconds = (ms) => (ms / 1_000).toFixed(1);
const millis = (ms) => String(Math.round(ms));
const count = (n) => n.toLocaleString('en-US');
const ratio = (x) => `${x.toFixed(2)}x`;
const targets = [];

/** A target's cells; every target is kept, so the run can say which were missed. */
function target(name, text, met) {
  targets.push({ name, met });
  return [text, met ? 'yes' : 'NO'];
}

function backfillRows(results) {
  const rows = [];
  const time = {};
  for (const { records, backfill, streak, dispatch, bulk } of results) {
    const rate = records / (median(backfill) / 1_000);
    const bulkRate = records / (median(bulk) / 1_000);
    time[records] = median(backfill);
    const needed = records >= 5_000;
    const [targetText, met] = needed
      ? target(`backfill ${records}`, '>= 0.50x BulkWriter', rate / bulkRate >= 0.5)
      : ['-', '-'];
    rows.push(
      [
        `backfill over Pub/Sub, ${count(records)} records`,
        String(backfill.length),
        `${seconds(median(backfill))} s`,
        `${seconds(percentile(backfill, 95))} s`,
        `${count(Math.round(rate))} records/s`,
        `${ratio(rate / bulkRate)} BulkWriter`,
        targetText,
        met,
      ],
      [
        `BulkWriter (baseline), ${count(records)} docs`,
        String(bulk.length),
        `${seconds(median(bulk))} s`,
        `${seconds(percentile(bulk, 95))} s`,
        `${count(Math.round(bulkRate))} docs/s`,
        '1.00x',
        '-',
        '-',
      ],
    );
    /** A part of each run, timed apart, beside the whole run's median. */
    const part = (what, times) => [
      `of the backfill: ${what}, ${count(records)}`,
      String(times.length),
      `${seconds(median(times))} s`,
      `${seconds(percentile(times, 95))} s`,
      '-',
      `${ratio(median(times) / median(backfill))} of the backfill`,
      '-',
      '-',
    ];
    rows.push(part('publish to the first task', dispatch));
    if (streak.length > 0) rows.push(part('last page to completed (streaks)', streak));
  }
  const linear = time[20_000] / time[2_000];
  rows.push([
    'backfill linearity: 20,000 time / 2,000 time',
    '-',
    '-',
    '-',
    ratio(linear),
    '-',
    ...target('linearity', '<= 10.5x', linear <= 10.5),
  ]);
  return rows;
}

function dualWriteRows({ samples }) {
  const rows = [];
  for (const [key, callable] of [
    ['update', 'habits-update'],
    ['log', 'completions-log'],
  ]) {
    const off = samples.off[key];
    const on = samples.on[key];
    const p50 = median(on) / median(off);
    const p95 = percentile(on, 95) / percentile(off, 95);
    const latency = (times) => [
      millis(median(times)) + ' ms',
      millis(percentile(times, 95)) + ' ms',
    ];
    rows.push(
      [`${callable}, dual-write off`, String(off.length), ...latency(off), '-', '1.00x', '-', '-'],
      [
        `${callable}, dual-write on`,
        String(on.length),
        ...latency(on),
        '-',
        `${ratio(p50)} p50, ${ratio(p95)} p95`,
        ...target(`dual-write ${callable}`, 'p50 <= 1.10x, p95 <= 1.20x', p50 <= 1.1 && p95 <= 1.2),
      ],
    );
  }
  return rows;
}

function snapshotRows(times) {
  const full = median(times.full);
  return [
    ['full (cache miss)', times.full],
    ['cached', times.cached],
    ['notModified', times.notModified],
  ].map(([answer, t]) => [
    `snapshot-get, ${answer}`,
    String(t.length),
    `${millis(median(t))} ms`,
    `${millis(percentile(t, 95))} ms`,
    '-',
    `${ratio(median(t) / full)} p50`,
    '-',
    '-',
  ]);
}

/**
 * The first size is the baseline. Flat means the peak does not grow with the user: under 100
 * bytes per record more than the baseline's, where keeping the records would cost a kilobyte or
 * so each (a ratio of two peaks of a megabyte or two is noise).
 */
const HEAP_BYTES_PER_RECORD = 100;
function heapRows([small, ...larger]) {
  const row = ({ records, growthMb, ms }, targetCells) => [
    `worker peak heap growth, ${count(records)} records`,
    '1',
    '-',
    '-',
    `${growthMb.toFixed(1)} MB (${seconds(ms)} s)`,
    ratio(growthMb / small.growthMb),
    ...targetCells,
  ];
  return [
    row(small, ['-', '-']),
    ...larger.map((r) => {
      const perRecord = ((r.growthMb - small.growthMb) * 1e6) / (r.records - small.records);
      return row(
        r,
        target(
          `heap ${r.records}`,
          `< ${HEAP_BYTES_PER_RECORD} B per extra record (${Math.max(0, perRecord).toFixed(0)} B)`,
          perRecord < HEAP_BYTES_PER_RECORD,
        ),
      );
    }),
  ];
}

const HEADERS = ['case', 'runs', 'p50', 'p95', 'figure', 'ratio', 'target', 'met?'];
const DOCS = join(ROOT, 'docs', 'benchmarks.md');

async function main() {
  const rows = [];
  if (runs('backfill')) {
    progress('backfill against the BulkWriter baseline');
    rows.push(...backfillRows(await measureBackfill()));
  }
  if (runs('dual-write') || runs('snapshot')) {
    progress('dual-write on and off (habits-update, completions-log)');
    const dualWrite = await measureDualWrite();
    if (runs('dual-write')) rows.push(...dualWriteRows(dualWrite));
    if (runs('snapshot')) {
      progress('snapshot-get');
      rows.push(...snapshotRows(await measureSnapshots(dualWrite.user)));
    }
  }
  if (runs('heap')) {
    progress('backfill worker heap');
    rows.push(...heapRows(await measureHeap()));
  }
  const table = markdownTable(HEADERS, rows);
  const took = (performance.now() - benchStarted) / 60_000;
  const when = new Date().toISOString().slice(0, 10);
  const quiet =
    quietTimeouts > 0
      ? ` ${quietTimeouts} measurements started before the machine was quiet (${QUIET.timeoutMs / 1_000} s at most).`
      : '';
  const about = `Measured ${when} on ${cpus().length} cores, Node ${process.versions.node}; the bench took ${took.toFixed(1)} min.${quiet}`;
  const missed = targets.filter((t) => !t.met).map((t) => t.name);
  print(`${about}\n\n${table}\n`);
  print(missed.length ? `Targets missed: ${missed.join('; ')}` : 'Every target met.');
  if (options.has('--write-docs')) {
    replaceBetweenMarkers(
      DOCS,
      '<!-- bench:emulators:start -->',
      '<!-- bench:emulators:end -->',
      `${about}\n\n${table}\n`,
    );
    progress('docs/benchmarks.md updated');
  }
  return options.has('--check') && missed.length > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`bench:emulators failed: ${error.stack ?? error}\n`);
} finally {
  resetFlags();
  await pubsub.close();
  await Promise.all(clientApps.map((app) => deleteApp(app)));
}
process.exit(code);
