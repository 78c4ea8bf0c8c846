#!/usr/bin/env node
// What a catch-up costs for a heavy user: a user with 20,000 CloudKit records is migrated, an old
// device then writes 10 changes, and one catch-up pass brings them over. Prints one table of wall
// time and CloudKit requests. Needs the Firestore emulator: `npm run bench:catchup` starts one (in
// its own project, demo-bench) and the CloudKit simulator in this process.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import {
  completionEntity,
  habitEntity,
  lib,
  quietConsole,
  requireFirestoreEmulator,
  xpEntity,
} from './support.mjs';

const log = quietConsole();
const require = createRequire(import.meta.url);
const { initializeApp } = require('firebase-admin/app');
const { getFirestore } = require('firebase-admin/firestore');
const { startSimulator } = require('../tools/cloudkit-sim/dist/index.js');
const { CloudKitLegacyStore } = lib('data/legacy/cloudkit/cloudKitLegacyStore');
const { FirestoreWebAuthTokenStore } = lib('data/legacy/firestoreWebAuthTokenStore');
const { TokenCipher } = lib('data/legacy/tokenCipher');
const { SerializedLegacyStore } = lib('data/legacy/serializedLegacyStore');
const { CATCH_UPS, LEGACY_CONVERSATIONS, UserLeases } = lib('data/firestore/userLease');
const { FirestoreHabitRepository } = lib('data/firestore/firestoreHabitRepository');
const { recordInOutbox } = lib('data/outbox/outboxRecorder');
const { MigrationStateStore } = lib('migration/migrationStateStore');
const { BackfillRequests } = lib('migration/backfillRequests');
const { BackfillJob } = lib('migration/backfillJob');
const { CatchUpJob } = lib('migration/catchUpJob');
const { flagDefaults } = lib('flags/flagDefaults');
const { legacyUpsert } = lib('data/legacy/mapping/firestoreToLegacyMapper');
const { toOperation } = lib('data/legacy/cloudkit/ckWrites');

requireFirestoreEmulator('npm run bench:catchup');

const HABITS = 10;
const DAYS = 1_000; // per habit: 10 habits, 10,000 days, 9,990 XP events = 20,000 records
const API_TOKEN = 'sim-api-token';
const iso = (ms) => new Date(ms).toISOString();
const dayBefore = (n) => iso(Date.now() - n * 86_400_000).slice(0, 10);

/**
 * Records as the old app's Core Data mirroring writes them: built by the same mapper and encoder
 * that deliver this backend's own writes, so their format is CloudKit's by construction.
 */
const record = (kind, entity) => toOperation(legacyUpsert(kind, entity)).record;

const habit = (id, name, updatedAt) =>
  record('habit', habitEntity(id, { name, updatedAt: iso(updatedAt) }));
const day = (habitId, date) => record('completion', completionEntity(habitId, date));
const xp = (completionName) =>
  record('xpEvent', xpEntity(completionName.replace(/^CD_Completion_/, ''), iso(Date.now())));

/** Every CloudKit request this process makes to a user's private database, counted. */
let cloudKitCalls = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => {
  if (String(url).includes('/private/')) cloudKitCalls += 1;
  return realFetch(url, init);
};

const sim = await startSimulator({ port: 0, apiToken: API_TOKEN });
const admin = async (method, path, body) => {
  const response = await realFetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response.json();
};

const db = getFirestore(initializeApp({ projectId: 'demo-bench' }, 'bench'));
const uid = `bench-${randomUUID()}`;
const habitIds = Array.from({ length: HABITS }, () => randomUUID());
const records = [];
for (const id of habitIds) {
  records.push(habit(id, 'Read', Date.parse('2023-01-01T08:00:00Z')));
  for (let n = 2; n < DAYS + 2; n += 1) records.push(day(id, dayBefore(n)));
}
const days = records.filter((record) => record.recordType === 'CD_Completion');
records.push(...days.slice(0, 20_000 - records.length).map((d) => xp(d.recordName)));
await admin('POST', '/__sim/users', { uid });
for (let i = 0; i < records.length; i += 2_000) {
  await admin('PUT', `/__sim/users/${uid}/records`, { records: records.slice(i, i + 2_000) });
}

const tokens = new FirestoreWebAuthTokenStore(
  db,
  new TokenCipher(randomBytes(32).toString('base64')),
);
const { webAuthToken } = await admin('POST', '/__sim/tokens', { uid, mode: 'rotating' });
await tokens.link(uid, webAuthToken);
const legacy = new SerializedLegacyStore(
  new CloudKitLegacyStore(
    {
      baseUrl: sim.url,
      container: 'iCloud.com.example.habits',
      environment: 'development',
      apiToken: API_TOKEN,
      timeoutMs: 10_000,
      maxRetries: 3,
    },
    tokens,
  ),
  new UserLeases(db, LEGACY_CONVERSATIONS),
  { leaseMs: 60_000, waitMs: 20_000 },
);
const states = new MigrationStateStore(db);
const habits = new FirestoreHabitRepository(db, undefined, recordInOutbox);
const flags = { ...flagDefaults, backfillBatchSize: 165 };
const telemetry = { record: async () => undefined };

// The first copy, its tasks run one after another in this process.
const queue = [];
const tasks = {
  enqueueBatch: async (_uid, dryRun, next) =>
    queue.push({ uid, runId: next.runId, batch: next.batch, dryRun }),
  enqueueFanOut: async () => undefined,
};
const backfill = new BackfillJob({
  db,
  states,
  legacy,
  tasks,
  telemetry,
  flags: async () => flags,
  finishStreaks: (u, maintainedBy) => habits.finishStreaks(u, maintainedBy),
  leaseMs: 120_000,
});
let started = performance.now();
cloudKitCalls = 0;
await new BackfillRequests(states, tasks, telemetry).request(uid, { force: false, dryRun: false });
while (queue.length > 0) await backfill.run(queue.shift(), { owner: 'bench', finalAttempt: false });
const copied = await states.get(uid);
const rows = [
  {
    case: `first copy of ${records.length} records`,
    changes: records.length,
    'CloudKit calls': cloudKitCalls,
    'wall ms': Math.round(performance.now() - started),
    'of it streaks ms': '-',
    result: copied.status,
  },
];

let streakMs = 0;
const catchUp = new CatchUpJob({
  db,
  states,
  legacy,
  leases: new UserLeases(db, CATCH_UPS),
  telemetry,
  flags: async () => flags,
  recomputeStreaks: async (u, ids) => {
    const at = performance.now();
    await habits.recomputeStreaks(u, ids);
    streakMs += performance.now() - at;
  },
  continueLater: async () => undefined,
  settings: { lease: { leaseMs: 120_000, waitMs: 0 }, budgetMs: 60_000 },
});

/** One catch-up request, measured; returns its time, which a redelivery of it carries too. */
async function measureCatchUp(name, requestedAt = new Date().toISOString()) {
  cloudKitCalls = 0;
  streakMs = 0;
  const before = (await states.get(uid)).catchUp?.changes ?? 0;
  started = performance.now();
  const outcome = await catchUp.run({ uid, requestedAt });
  const ms = Math.round(performance.now() - started);
  const changes = ((await states.get(uid)).catchUp?.changes ?? 0) - before;
  rows.push({
    case: name,
    changes,
    'CloudKit calls': cloudKitCalls,
    'wall ms': ms,
    'of it streaks ms': Math.round(streakMs),
    result: outcome,
  });
  return requestedAt;
}

await measureCatchUp('catch-up, nothing new');

// An old device: 3 new days (with their XP events), 2 renamed habits, 2 deleted days.
const { webAuthToken: device } = await admin('POST', '/__sim/tokens', { uid });
const changes = [
  ...[0, 1, 2].flatMap((h) => {
    const completion = day(habitIds[h], dayBefore(0));
    return [completion, xp(completion.recordName)];
  }),
  habit(habitIds[3], 'Renamed on the iPad', Date.now()),
  habit(habitIds[4], 'Renamed on the iPad', Date.now()),
].map((record) => ({ operationType: 'forceReplace', record }));
changes.push(
  ...[5, 6].map((h) => ({
    operationType: 'forceDelete',
    record: { recordName: `CD_Completion_${habitIds[h]}_${dayBefore(2)}` },
  })),
);
const modify = await realFetch(
  `${sim.url}/database/1/iCloud.com.example.habits/development/private/records/modify?ckAPIToken=${API_TOKEN}&ckWebAuthToken=${encodeURIComponent(device)}`,
  {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      zoneID: { zoneName: 'com.apple.coredata.cloudkit.zone' },
      operations: changes,
      atomic: true,
    }),
  },
);
if (!modify.ok) throw new Error(`the old device's write failed: ${modify.status}`);

const asked = await measureCatchUp(
  `catch-up of ${changes.length} changes on 7 habits, 5 of their streaks recomputed`,
);
await measureCatchUp('the same request delivered again', asked);

console.log = log;
console.table(rows);
await sim.close();
process.exit(0);
