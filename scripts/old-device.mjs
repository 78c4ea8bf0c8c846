#!/usr/bin/env node
// `npm run old-device -- <uid>`: with `npm start` running, the old iOS app on a device that was
// never updated writes to the user's CloudKit zone, over the Web Services protocol with a token of
// its own, as Core Data mirroring does: a new habit, today's completion of it and its XP. Nothing
// tells the backend; `npm run ops -- catchup --uid <uid>` brings it over (docs/operations.md 9).
import { randomUUID } from 'node:crypto';

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

const str = (value) => ({ value, type: 'STRING' });
const int = (value) => ({ value, type: 'INT64' });
const time = (value) => ({ value, type: 'TIMESTAMP' });
const now = Date.now();
const today = new Date(now).toISOString().slice(0, 10);
const habitId = randomUUID();
const habit = `CD_Habit_${habitId}`;
const completion = `CD_Completion_${habitId}_${today}`;
const xpEventId = randomUUID();
const records = [
  {
    recordName: habit,
    recordType: 'CD_Habit',
    fields: {
      CD_entityName: str('Habit'),
      CD_id: str(habitId),
      CD_name: str('Added on the old iPad'),
      CD_scheduleType: str('daily'),
      CD_targetPerDay: int(1),
      CD_archived: int(0),
      CD_createdAt: time(now),
      CD_updatedAt: time(now),
      CD_version: int(1),
    },
  },
  {
    recordName: completion,
    recordType: 'CD_Completion',
    fields: {
      CD_entityName: str('Completion'),
      CD_id: str(`${habitId}_${today}`),
      CD_habit: str(habit),
      CD_date: str(today),
      CD_count: int(1),
      CD_completedAt: time(now),
      CD_createdAt: time(now),
      CD_updatedAt: time(now),
      CD_version: int(1),
    },
  },
  {
    recordName: `CD_XPEvent_${xpEventId}`,
    recordType: 'CD_XPEvent',
    fields: {
      CD_entityName: str('XPEvent'),
      CD_id: str(xpEventId),
      CD_amount: int(10),
      CD_reason: str('completion'),
      CD_completion: str(completion),
      CD_occurredAt: time(now),
    },
  },
];

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
