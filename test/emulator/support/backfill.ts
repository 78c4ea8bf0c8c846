import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import { CloudKitLegacyStore } from '../../../functions/src/data/legacy/cloudkit/cloudKitLegacyStore';
import { FirestoreWebAuthTokenStore } from '../../../functions/src/data/legacy/firestoreWebAuthTokenStore';
import { TokenCipher } from '../../../functions/src/data/legacy/tokenCipher';
import {
  type VerificationReport,
  verifyMigration,
} from '../../../functions/src/migration/migrationVerifier';
import { FirestoreHabitRepository } from '../../../functions/src/data/firestore/firestoreHabitRepository';
import type { LegacyStore } from '../../../functions/src/data/legacy/legacyStore';
import { flagDefaults } from '../../../functions/src/flags/flagDefaults';
import { BackfillJob } from '../../../functions/src/migration/backfillJob';
import { BackfillRequests } from '../../../functions/src/migration/backfillRequests';
import type { BackfillTasks } from '../../../functions/src/migration/backfillTasks';
import { MigrationStateStore } from '../../../functions/src/migration/migrationStateStore';
import type { Telemetry } from '../../../functions/src/telemetry/telemetryEvents';
import { adminDb, outboxDrained } from './admin';
import { emulatorHost, PROJECT_ID } from './emulators';
import { SIM_URL } from './simulator';

const ROOT = join(__dirname, '../../..');

/** What an operator does to start a backfill: publish to the topic (docs/api.md, "Pub/Sub"). */
export async function publishBackfill(message: unknown): Promise<string> {
  const { host, port } = emulatorHost('pubsub');
  process.env.PUBSUB_EMULATOR_HOST ??= `${host}:${port}`;
  const pubsub = new PubSub({ projectId: PROJECT_ID });
  const data = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message));
  try {
    return await pubsub.topic('migration-backfill').publishMessage({ data });
  } finally {
    await pubsub.close();
  }
}

export function migrationState(uid: string, dryRun = false): Promise<MigrationState | undefined> {
  return adminDb()
    .doc(`users/${uid}/meta/${dryRun ? 'migrationDryRun' : 'migration'}`)
    .get()
    .then((snap) => snap.data() as MigrationState | undefined);
}

/** Polls the state until `done` holds; fails with the last state seen. */
export async function waitForState(
  uid: string,
  done: (state: MigrationState | undefined) => boolean,
  { timeoutMs = 90_000, dryRun = false } = {},
): Promise<MigrationState> {
  const deadline = Date.now() + timeoutMs;
  let state: MigrationState | undefined;
  while (Date.now() < deadline) {
    state = await migrationState(uid, dryRun);
    if (done(state)) return state as MigrationState;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `migration of ${uid} did not get there in time; last state ${JSON.stringify(state)}`,
  );
}

export const isFinished = (state: MigrationState | undefined) =>
  state?.status === 'completed' ||
  state?.status === 'completed_with_errors' ||
  state?.status === 'failed';

export function waitForCompletion(uid: string, options?: { timeoutMs?: number; dryRun?: boolean }) {
  return waitForState(uid, isFinished, options);
}

/** functions/.secret.local, which scripts/emulators.mjs writes before the emulators start. */
function localSecret(name: string): string {
  const text = readFileSync(join(ROOT, 'functions', '.secret.local'), 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`${name} is not in functions/.secret.local`);
  return line
    .slice(name.length + 1)
    .replace(/^"|"$/g, '')
    .replace(/\\n/g, '\n');
}

/** The same CloudKit adapter the functions use, pointed at the simulator, with their secrets. */
export function testLegacyStore(): CloudKitLegacyStore {
  return new CloudKitLegacyStore(
    {
      baseUrl: SIM_URL,
      container: 'iCloud.com.example.habits',
      environment: 'development',
      apiToken: localSecret('CLOUDKIT_API_TOKEN'),
      serverKey: {
        keyId: 'sim-server-key',
        privateKeyPem: localSecret('CLOUDKIT_SERVER_PRIVATE_KEY'),
      },
      timeoutMs: 10_000,
      maxRetries: 3,
    },
    new FirestoreWebAuthTokenStore(adminDb(), testTokenCipher()),
  );
}

export function testTokenCipher(): TokenCipher {
  return new TokenCipher(localSecret('LEGACY_TOKEN_ENCRYPTION_KEY'));
}

/**
 * The record-for-record comparison, once the run's own deliveries (the recomputed streaks) have
 * reached CloudKit: a record that changes while the change feed is paged is read twice.
 */
export async function verify(uid: string): Promise<VerificationReport> {
  await outboxDrained(uid);
  return verifyMigration(adminDb(), testLegacyStore(), uid);
}

const TEST_FLAGS_FILE = join(ROOT, '.cache', 'flags', 'remote-config.template.json');
const COMMITTED_FLAGS_FILE = join(ROOT, 'config', 'remote-config.template.json');
let published = 0;

/**
 * Publishes a template with these flag defaults, as an operator would in the console. The
 * emulated functions trust their flags for a second (scripts/emulators.mjs), so wait that long.
 */
export async function setFlags(values: Record<string, string>): Promise<void> {
  const template = JSON.parse(readFileSync(COMMITTED_FLAGS_FILE, 'utf8')) as {
    etag: string;
    version: { versionNumber: string };
    parameters: Record<string, { defaultValue: { value: string } }>;
  };
  for (const [name, value] of Object.entries(values)) {
    template.parameters[name].defaultValue = { value };
  }
  published += 1;
  template.etag = `test-${published}`;
  template.version.versionNumber = String(100 + published);
  writeFileSync(TEST_FLAGS_FILE, JSON.stringify(template));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
}

/** Back to the committed template, version and all, as the emulators started with it. */
export async function resetFlags(): Promise<void> {
  copyFileSync(COMMITTED_FLAGS_FILE, TEST_FLAGS_FILE);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
}

/** Stands in for Cloud Tasks where a test plays a worker that dies before enqueueing. */
const noTasks: BackfillTasks = { enqueueBatch: async () => {}, enqueueFanOut: async () => {} };
const noTelemetry: Telemetry = { record: async () => {} };

/**
 * The backfill's own worker code, run in the test process against the same emulated Firestore and
 * simulator, so a test can stop it exactly where a crash would: after a commit and before the
 * next task is enqueued, or inside a batch with the lease held.
 */
export function inProcessWorker(
  legacy: LegacyStore = testLegacyStore(),
  /** By default a task takes one page and enqueues nothing: a test decides what comes next. */
  { tasks = noTasks, taskBudgetMs = 0 }: { tasks?: BackfillTasks; taskBudgetMs?: number } = {},
) {
  const db = adminDb();
  const states = new MigrationStateStore(db);
  return {
    queue: (uid: string) =>
      new BackfillRequests(states, tasks, noTelemetry).request(uid, {
        force: false,
        dryRun: false,
      }),
    job: new BackfillJob({
      db,
      states,
      legacy,
      tasks,
      telemetry: noTelemetry,
      flags: async () => flagDefaults,
      finishStreaks: (uid, maintainedBy) =>
        new FirestoreHabitRepository(db).finishStreaks(uid, maintainedBy),
      leaseMs: 120_000,
      taskBudgetMs,
    }),
  };
}

/** A legacy store whose reads never answer: the worker using it is as good as killed. */
export function hangingLegacyStore(): LegacyStore {
  const store = testLegacyStore();
  return {
    listUsers: (token, limit) => store.listUsers(token, limit),
    lookup: (uid, names) => store.lookup(uid, names),
    write: (uid, writes) => store.write(uid, writes),
    readChanges: () => new Promise(() => {}),
  };
}

/** What a dead worker leaves after some minutes: its lease and last update in the past. */
export async function ageRun(uid: string, minutes: number): Promise<void> {
  const past = new Date(Date.now() - minutes * 60_000).toISOString();
  await adminDb()
    .doc(`users/${uid}/meta/migration`)
    .update({ leaseExpiresAt: past, updatedAt: past, queuedAt: past });
}

/** Every legacy record in Firestore as it should be, nothing extra, and XP counted once. */
export function expectExactCopy(report: VerificationReport, records: number): void {
  expect(report.differences).toEqual([]);
  expect(report.linked).toBe(true);
  expect(report.legacyRecords).toBe(records);
  expect(report.onlyInFirestore).toEqual({ habits: 0, completions: 0 });
  expect(report.xp.migrated).toBe(report.xp.legacy);
}

/** Records a run has counted: each read lands in exactly one count. */
export const countedRecords = (state: MigrationState | undefined) =>
  Object.values(state?.counts ?? {}).reduce((sum, n) => sum + n, 0);

/**
 * Queues the user's run and commits its first page in this process, enqueueing nothing after: the
 * state a worker leaves when it dies right after a commit. Returns the run's id.
 */
export async function firstPageOnly(uid: string, owner = 'first-page'): Promise<string> {
  const worker = inProcessWorker();
  const { state } = await worker.queue(uid);
  const runId = state.runId as string;
  const outcome = await worker.job.run(
    { uid, runId, batch: 0, dryRun: false },
    { owner, finalAttempt: false },
  );
  expect(outcome).toBe('committed');
  return runId;
}
