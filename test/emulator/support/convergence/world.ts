import { createHash, randomBytes } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import { FirestoreHabitRepository } from '../../../../functions/src/data/firestore/firestoreHabitRepository';
import { tombstonedIds } from '../../../../functions/src/data/firestore/tombstones';
import {
  CATCH_UPS,
  LEGACY_CONVERSATIONS,
  OUTBOX_DRAINS,
  UserLeases,
} from '../../../../functions/src/data/firestore/userLease';
import { CloudKitLegacyStore } from '../../../../functions/src/data/legacy/cloudkit/cloudKitLegacyStore';
import { FirestoreWebAuthTokenStore } from '../../../../functions/src/data/legacy/firestoreWebAuthTokenStore';
import type { LegacyStore } from '../../../../functions/src/data/legacy/legacyStore';
import { SerializedLegacyStore } from '../../../../functions/src/data/legacy/serializedLegacyStore';
import { TokenCipher } from '../../../../functions/src/data/legacy/tokenCipher';
import { LegacyReadFallback } from '../../../../functions/src/data/legacyReadFallback';
import { OutboxDelivery } from '../../../../functions/src/data/outbox/outboxDelivery';
import { OutboxDrain } from '../../../../functions/src/data/outbox/outboxDrain';
import { recordInOutbox } from '../../../../functions/src/data/outbox/outboxRecorder';
import { requeueOutbox } from '../../../../functions/src/data/outbox/outboxRequeue';
import { RepositoryFacade } from '../../../../functions/src/data/repositoryFacade';
import { flagDefaults } from '../../../../functions/src/flags/flagDefaults';
import { BackfillJob } from '../../../../functions/src/migration/backfillJob';
import { BackfillRequests } from '../../../../functions/src/migration/backfillRequests';
import type { BackfillTasks } from '../../../../functions/src/migration/backfillTasks';
import { CatchUpJob } from '../../../../functions/src/migration/catchUpJob';
import type { CatchUpTasks } from '../../../../functions/src/migration/catchUpTasks';
import { linkLegacyAccount } from '../../../../functions/src/migration/legacyLink';
import { MigrationStateStore } from '../../../../functions/src/migration/migrationStateStore';
import type { Telemetry } from '../../../../functions/src/telemetry/telemetryEvents';
import { AdversarialScheduler, type SchedulerOptions } from './scheduler';
import { OldApp } from './oldApp';
import { HabitWorkJob } from '../../../../functions/src/data/habitWork/habitWorkJob';
import { Random } from './random';

export const SIM_API_TOKEN = 'sim-api-token';

/** Counts what the system reports, so a test can see deliveries counted by outcome. */
export class CountingTelemetry implements Telemetry {
  readonly counts = new Map<string, number>();
  async record(event: string, outcome: string, fields: { count?: number }): Promise<void> {
    const key = `${event}.${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + (fields.count ?? 1));
  }
}

export type SimCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export function simClient(url: string): SimCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/**
 * The backend as the deployed functions compose it, for one user, driven in-process: the real
 * Firestore emulator, the CloudKit simulator over HTTP, the production classes, and an
 * adversarial scheduler standing in for Cloud Tasks' dispatch (the emulator cannot reorder,
 * duplicate or overlap on purpose). The outbox trigger is played by `afterWrite`: each write that
 * leaves a pending entry queues a drain, as the Firestore trigger does.
 */
export function buildWorld(
  db: Firestore,
  simUrl: string,
  uid: string,
  seed: number,
  scheduling: SchedulerOptions,
  /** Lets a regression test step in between the backend's CloudKit calls (a device writing). */
  wrapLegacy: (store: LegacyStore) => LegacyStore = (store) => store,
) {
  const sim = simClient(simUrl);
  const random = new Random(seed);
  const scheduler = new AdversarialScheduler(random, scheduling);
  const telemetry = new CountingTelemetry();
  const tokens = new FirestoreWebAuthTokenStore(
    db,
    new TokenCipher(randomBytes(32).toString('base64')),
  );
  const cloudKit = new CloudKitLegacyStore(
    {
      baseUrl: simUrl,
      container: 'iCloud.com.example.habits',
      environment: 'development',
      apiToken: SIM_API_TOKEN,
      timeoutMs: 400,
      maxRetries: 1,
    },
    tokens,
    // Waits for retryAfter are the scheduler's business here: keep them short, not skipped.
    {
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
      retryBaseDelayMs: 5,
      maxRetryDelayMs: 20,
    },
  );
  const legacy = wrapLegacy(
    new SerializedLegacyStore(cloudKit, new UserLeases(db, LEGACY_CONVERSATIONS), {
      leaseMs: 5_000,
      waitMs: 3_000,
    }),
  );
  const states = new MigrationStateStore(db);
  const firestoreOnly = new FirestoreHabitRepository(db);
  const dualWrite = new FirestoreHabitRepository(db, undefined, recordInOutbox);
  const flags = { ...flagDefaults, backfillBatchSize: 4 };

  let drains = 0;
  const enqueueDrain = (why: string) => {
    drains += 1;
    const name = `drain-${drains}`;
    scheduler.enqueue({ name, label: `drain(${why})`, run: () => drain.drain(uid) });
  };
  const tasks: BackfillTasks = {
    async enqueueBatch(_uid, dryRun, next) {
      const name = createHash('sha256')
        .update(JSON.stringify([uid, next.runId, next.batch, next.attempts]))
        .digest('hex');
      scheduler.enqueue({
        name,
        label: `backfill(batch ${next.batch}, attempt ${next.attempts})`,
        run: async (execution) => {
          const outcome = await job.run(
            { uid, runId: next.runId, batch: next.batch, dryRun },
            { owner: execution.name, finalAttempt: execution.finalAttempt },
          );
          await afterWrite('backfill');
          return outcome;
        },
      });
    },
    async enqueueFanOut() {
      throw new Error('no fan-out in this world');
    },
  };
  const hashed = (parts: unknown[]) =>
    createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  const catchUpTasks: CatchUpTasks = {
    async enqueueCatchUp(task, key) {
      scheduler.enqueue({
        name: hashed([uid, 'catchup', key]),
        label: `catchUp(${key})`,
        run: async () => {
          const outcome = await catchUp.run(task);
          await afterWrite('catchUp');
          return outcome;
        },
      });
    },
    async enqueueSweep() {
      throw new Error('no catch-up sweep in this world');
    },
  };
  /** A catch-up asked for now, as a link, a fallback read or an operator asks for one. */
  const requestCatchUp = (source: string) => {
    const requestedAt = new Date().toISOString();
    return catchUpTasks.enqueueCatchUp({ uid, requestedAt }, `${source}:${requestedAt}`);
  };
  const catchUp: CatchUpJob = new CatchUpJob({
    db,
    states,
    legacy,
    leases: new UserLeases(db, CATCH_UPS),
    telemetry,
    flags: async () => flags,
    recomputeStreaks: (u, habitIds) => dualWrite.recomputeStreaks(u, habitIds),
    continueLater: () => requestCatchUp('continuation'),
    settings: { lease: { leaseMs: 5_000, waitMs: 0 }, budgetMs: 3_000 },
  });
  const delivery = new OutboxDelivery(db, legacy);
  const drain: OutboxDrain = new OutboxDrain(
    db,
    delivery,
    new UserLeases(db, OUTBOX_DRAINS),
    { lease: { leaseMs: 5_000, waitMs: 0 }, pageSize: 5, budgetMs: 3_000 },
    async () => enqueueDrain('continuation'),
    (_uid, outcome) => void telemetry.record('legacyDelivery', outcome, {}),
  );
  const job: BackfillJob = new BackfillJob({
    db,
    states,
    legacy,
    tasks,
    telemetry,
    flags: async () => flags,
    finishStreaks: (u, maintainedBy) => dualWrite.finishStreaks(u, maintainedBy),
    leaseMs: 5_000,
    // One page per task, or as many as fit a short budget: both are how the worker runs.
    taskBudgetMs: random.chance(0.5) ? 0 : random.below(300),
  });
  const backfills = new BackfillRequests(states, tasks, telemetry);
  const facade = new RepositoryFacade(
    firestoreOnly,
    dualWrite,
    {
      flags: async () => flags,
      migrationState: (u) => states.get(u),
      requestBackfill: async () => undefined,
    },
    telemetry,
    new LegacyReadFallback(legacy, (u) => tombstonedIds(db, u)),
  );

  const habitWork = new HabitWorkJob(db, dualWrite, { purgePageSize: 3, budgetMs: 3_000 });
  let habitWorks = 0;

  /**
   * The outbox and habit-work triggers: any pending entry means a drain is queued, any habit-work
   * request its task (duplicates are harmless).
   */
  async function afterWrite(why: string): Promise<void> {
    const [pending, work] = await Promise.all([
      db.collection(`users/${uid}/legacyOutbox`).where('status', '==', 'pending').limit(1).get(),
      db.collection(`users/${uid}/habitWork`).get(),
    ]);
    if (!pending.empty) enqueueDrain(why);
    for (const request of work.docs) {
      habitWorks += 1;
      scheduler.enqueue({
        name: `habitWork-${habitWorks}`,
        label: `habitWork(${request.id}, ${why})`,
        run: async () => {
          const outcome = await habitWork.run({ uid, habitId: request.id });
          await afterWrite('habitWork');
          return outcome;
        },
      });
    }
  }

  /** The app at launch: a fresh single-use token from the device, handed over by legacy-link. */
  async function link(): Promise<string> {
    const { webAuthToken } = await sim<{ webAuthToken: string }>('POST', '/__sim/tokens', {
      uid,
      mode: 'rotating',
    });
    const linked = await linkLegacyAccount(
      {
        tokens,
        legacy,
        requeueWrites: (u) => requeueOutbox(db, u, new Date()),
        states,
        backfills,
        catchUp: () => requestCatchUp('link'),
      },
      uid,
      webAuthToken,
    );
    await afterWrite('link');
    return linked;
  }

  return {
    uid,
    db,
    sim,
    random,
    scheduler,
    telemetry,
    tokens,
    legacy,
    states,
    facade,
    backfills,
    requestCatchUp,
    catchUp,
    oldApp: new OldApp(sim, uid, random),
    afterWrite,
    link,
  };
}
export type World = ReturnType<typeof buildWorld>;
