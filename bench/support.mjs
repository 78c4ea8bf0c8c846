// What the benches share: quiet functions logs, the built functions, the emulator check, and the
// old app's entities (mapped to CloudKit's form by the production mappers in each bench); for the
// benches of the whole emulator stack also statistics, markdown, the CloudKit simulator's raw
// records and the flags template the emulated functions read.
import { randomUUID } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, TEST_FLAGS_FILE } from '../scripts/emulators.mjs';

const require = createRequire(import.meta.url);

/** The functions log a JSON line per event: the tables are a bench's only output. */
export function quietConsole() {
  const out = console.log;
  for (const level of ['log', 'info', 'debug', 'warn']) console[level] = () => undefined;
  return out;
}

/** A module of the built functions (`npm run build`). */
export const lib = (path) => require(`../functions/lib/${path}.js`);

export function requireFirestoreEmulator(command) {
  if (process.env.FIRESTORE_EMULATOR_HOST) return;
  process.stderr.write(`run it with \`${command}\` (it needs the Firestore emulator)\n`);
  process.exit(2);
}

export function habitEntity(id, { name = 'Read', updatedAt = '2023-01-01T08:00:00.000Z' } = {}) {
  return {
    id,
    name,
    schedule: { type: 'daily' },
    targetPerDay: 1,
    archived: false,
    createdAt: '2023-01-01T08:00:00.000Z',
    updatedAt,
    version: 1,
  };
}

export function completionEntity(habitId, date) {
  const at = `${date}T20:00:00.000Z`;
  return {
    id: `${habitId}_${date}`,
    habitId,
    date,
    count: 1,
    completedAt: at,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

export function xpEntity(completionId, occurredAt) {
  return { id: randomUUID(), delta: 10, reason: 'completion', completionId, occurredAt };
}

// ---- Shared by the benches that run against the whole emulator stack (emulators.bench.mjs) ----

const firebaseJson = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8'));

/** host, port and origin of an emulator, from firebase.json (the file the emulators started from). */
export function emulatorHost(name) {
  const { host, port } = firebaseJson.emulators[name];
  return { host, port, origin: `http://${host}:${port}` };
}

/**
 * `firebase emulators:exec` sets the SDKs' variables; defaults from firebase.json let a bench also
 * run beside `npm start`. Call before the first Firestore, Auth or Pub/Sub client is made.
 */
export function useEmulators() {
  for (const [variable, name] of [
    ['FIRESTORE_EMULATOR_HOST', 'firestore'],
    ['PUBSUB_EMULATOR_HOST', 'pubsub'],
    ['FIREBASE_AUTH_EMULATOR_HOST', 'auth'],
  ]) {
    const { host, port } = emulatorHost(name);
    process.env[variable] ??= `${host}:${port}`;
  }
  // Nothing here runs on Google Cloud: the Pub/Sub client need not look for a metadata server.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
}

// ---- statistics ----

const sorted = (samples) => [...samples].sort((a, b) => a - b);

export function median(samples) {
  const s = sorted(samples);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest rank: the smallest sample with at least p % of the samples at or below it. */
export function percentile(samples, p) {
  const s = sorted(samples);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

// ---- markdown ----

/**
 * A markdown table laid out as prettier lays it out (cells padded to the column's width), so a
 * table written into docs/ passes `prettier --check`. Cells must be ASCII for the widths to hold.
 */
export function markdownTable(headers, rows) {
  const widths = headers.map((h, c) => Math.max(3, h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => `| ${cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Replaces what lies between two marker lines of a file, keeping the markers and the rest. */
export function replaceBetweenMarkers(file, start, end, content) {
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} ... ${end} section`);
  // Blank lines around the content: prettier's layout of markdown, so the file stays clean.
  const middle = `\n\n${content.trim()}\n\n`;
  writeFileSync(file, `${text.slice(0, from + start.length)}${middle}${text.slice(to)}`);
}

// ---- the CloudKit simulator and its records (as test/emulator/support/legacyRecords.ts) ----

export const SIM_URL = process.env.CLOUDKIT_SIM_URL ?? 'http://127.0.0.1:4010';

/** The simulator's admin endpoints (tools/cloudkit-sim): what only a device could do. */
export async function sim(method, path, body) {
  const response = await fetch(`${SIM_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status}`);
  return response.json();
}

const str = (value) => ({ value, type: 'STRING' });
const int = (value) => ({ value, type: 'INT64' });
const time = (iso) => ({ value: Date.parse(iso), type: 'TIMESTAMP' });
const habitName = (id) => `CD_Habit_${id}`;
/**
 * CloudKit stamps every record it returns with its creation and last modification. Records built
 * without stamps read as edited during the run (the worst case, which docs/capacity.md counts).
 */
const stamped = (record, iso) => {
  const stamp = { timestamp: Date.parse(iso), userRecordName: '_bench', deviceID: 'bench-device' };
  return { ...record, created: stamp, modified: stamp };
};

/** Raw CloudKit records as the iOS app's Core Data mirroring writes them (docs/legacy-schema.md). */
export function habitRecord(id, { name = 'Read', createdAt = '2024-01-01T08:00:00.000Z' } = {}) {
  return {
    recordName: habitName(id),
    recordType: 'CD_Habit',
    fields: {
      CD_entityName: str('Habit'),
      CD_id: str(id),
      CD_name: str(name),
      CD_scheduleType: str('daily'),
      CD_targetPerDay: int(1),
      CD_archived: int(0),
      CD_createdAt: time(createdAt),
      CD_updatedAt: time(createdAt),
      CD_version: int(1),
    },
  };
}

export function completionRecord(habitId, date) {
  const at = `${date}T20:00:00.000Z`;
  return {
    recordName: `CD_Completion_${habitId}_${date}`,
    recordType: 'CD_Completion',
    fields: {
      CD_entityName: str('Completion'),
      CD_id: str(`${habitId}_${date}`),
      CD_habit: str(habitName(habitId)),
      CD_date: str(date),
      CD_count: int(1),
      CD_completedAt: time(at),
      CD_createdAt: time(at),
      CD_updatedAt: time(at),
      CD_version: int(1),
    },
  };
}

export function xpRecord(id, amount, at = '2024-01-05T20:00:00.000Z') {
  return {
    recordName: `CD_XPEvent_${id}`,
    recordType: 'CD_XPEvent',
    fields: {
      CD_entityName: str('XPEvent'),
      CD_id: str(id),
      CD_amount: int(amount),
      CD_reason: str('completion'),
      CD_occurredAt: time(at),
    },
  };
}

export function streakRecord(habitId, longest) {
  return {
    recordName: `CD_Streak_${habitId}`,
    recordType: 'CD_Streak',
    fields: {
      CD_entityName: str('Streak'),
      CD_habit: str(habitName(habitId)),
      CD_current: int(0),
      CD_longest: int(longest),
      CD_lastCompletedDate: str('2024-01-05'),
    },
  };
}

/** A day `n` days after 2024-01-01. */
export const dayAfterStart = (n) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10);

/**
 * A legacy user of `total` records (a multiple of 1,000): per 1,000, one daily habit with its
 * streak record, 997 logged days and one XP event, the shape of the 20,000-record golden test.
 * Each record is stamped as the old app wrote it, when it happened: long before the migration.
 */
export function legacyUserRecords(total, days = 997) {
  const records = [];
  const start = '2024-01-01T08:00:00.000Z';
  for (let h = 0; h < total / 1_000; h += 1) {
    const id = randomUUID();
    records.push(
      stamped(habitRecord(id), start),
      stamped(streakRecord(id, 3), start),
      stamped(xpRecord(`${id}-opening`, 100), start),
    );
    for (let d = 0; d < days; d += 1) {
      const date = dayAfterStart(d);
      records.push(stamped(completionRecord(id, date), `${date}T20:00:00.000Z`));
    }
  }
  return records;
}

/** Writes records into the user's CloudKit zone as the app would, in request-sized chunks. */
export async function putLegacyRecords(uid, records) {
  for (let i = 0; i < records.length; i += 2_000) {
    await sim('PUT', `/__sim/users/${encodeURIComponent(uid)}/records`, {
      records: records.slice(i, i + 2_000),
    });
  }
}

/** The secrets the emulated functions run with (functions/.secret.local, from emulators.mjs). */
export const functionsEnv = () => lib('ops/localEnvironment').emulatedFunctionsEnv();

/**
 * A CloudKit user whose app has handed the server a web auth token: what `legacy-link` stores,
 * stored directly into `db` (the Firestore the worker that reads the user uses).
 */
export async function linkedLegacyUser(db, uid) {
  const { FirestoreWebAuthTokenStore } = lib('data/legacy/firestoreWebAuthTokenStore');
  const { TokenCipher } = lib('data/legacy/tokenCipher');
  await sim('POST', '/__sim/users', { uid });
  const { webAuthToken } = await sim('POST', '/__sim/tokens', { uid });
  const cipher = new TokenCipher(functionsEnv().LEGACY_TOKEN_ENCRYPTION_KEY);
  await new FirestoreWebAuthTokenStore(db, cipher).link(uid, webAuthToken);
  return uid;
}

// ---- flags, as an operator publishes a template (test/emulator/support/backfill.ts setFlags) ----

let published = 0;

/**
 * Writes the template the emulated functions read in exec mode (scripts/emulators.mjs) with these
 * defaults, version bumped. They trust their cached copy for a second: callers wait for the effect.
 */
export function publishFlags(values) {
  const template = JSON.parse(
    readFileSync(join(ROOT, 'config', 'remote-config.template.json'), 'utf8'),
  );
  for (const [name, value] of Object.entries(values)) {
    template.parameters[name].defaultValue = { value: String(value) };
  }
  published += 1;
  template.etag = `bench-${published}`;
  template.version.versionNumber = String(1_000 + published);
  writeFileSync(TEST_FLAGS_FILE, JSON.stringify(template));
}

/** Back to the committed template, as the emulators started with it. */
export function resetFlags() {
  copyFileSync(join(ROOT, 'config', 'remote-config.template.json'), TEST_FLAGS_FILE);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined) or the deadline passes. Never a fixed wait. */
export async function eventually(check, { timeoutMs = 30_000, intervalMs = 250, what }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
