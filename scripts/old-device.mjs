#!/usr/bin/env node
// `npm run old-device -- <uid>`: with `npm start` running, the old iOS app on a device that was
// never updated writes to the user's CloudKit zone, over the Web Services protocol with a token of
// its own, as Core Data mirroring does: a new habit, today's completion of it and its XP. Nothing
// tells the backend; `npm run ops -- catchup --uid <uid>` brings it over (docs/operations.md 9).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const SIM = 'http://127.0.0.1:4010'; // scripts/emulators.mjs runs the simulator here
const DATABASE = `${SIM}/database/1/iCloud.com.example.habits/development/private`;
const uid = process.argv[2];
if (!uid) {
  process.stderr.write('usage: npm run old-device -- <uid>   (e.g. demo-user-001)\n');
  process.exit(2);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch(() => {
    throw new Error(`the CloudKit simulator is not running at ${SIM}: start it with npm start`);
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

// The records as Core Data mirroring writes them: the mapper and encoder that deliver the
// backend's own writes produce exactly that format (npm start has built them).
const require = createRequire(import.meta.url);
const { legacyUpsert } = require('../functions/lib/data/legacy/mapping/firestoreToLegacyMapper.js');
const { toOperation } = require('../functions/lib/data/legacy/cloudkit/ckWrites.js');
const now = new Date().toISOString();
const today = now.slice(0, 10);
const habitId = randomUUID();
const completionId = `${habitId}_${today}`;
const records = [
  legacyUpsert('habit', {
    id: habitId,
    name: 'Added on the old iPad',
    schedule: { type: 'daily' },
    targetPerDay: 1,
    archived: false,
    createdAt: now,
    updatedAt: now,
    version: 1,
  }),
  legacyUpsert('completion', {
    id: completionId,
    habitId,
    date: today,
    count: 1,
    completedAt: now,
    createdAt: now,
    updatedAt: now,
    version: 1,
  }),
  legacyUpsert('xpEvent', {
    id: randomUUID(),
    delta: 10,
    reason: 'completion',
    completionId,
    occurredAt: now,
  }),
].map((write) => toOperation(write).record);

try {
  const { webAuthToken } = await post(`${SIM}/__sim/tokens`, { uid });
  const query = `ckAPIToken=sim-api-token&ckWebAuthToken=${encodeURIComponent(webAuthToken)}`;
  await post(`${DATABASE}/records/modify?${query}`, {
    zoneID: { zoneName: 'com.apple.coredata.cloudkit.zone' },
    operations: records.map((record) => ({ operationType: 'create', record })),
    atomic: true,
  });
  process.stdout.write(
    `the old app of ${uid} wrote habit ${habitId} ("Added on the old iPad"), ` +
      `its completion of ${today} and 10 XP to CloudKit\n`,
  );
} catch (error) {
  process.stderr.write(`old-device: ${error.message}\n`);
  process.exit(1);
}
