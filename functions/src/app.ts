import { resolve } from 'node:path';
import {
  cloudKitSettings,
  flagCacheTtlMs,
  flagsTemplateFile,
  legacyConversationLeaseMs,
  tokenEncryptionKey,
} from './config';
import { FirestoreHabitRepository } from './data/firestore/firestoreHabitRepository';
import { HabitWorkJob } from './data/habitWork/habitWorkJob';
import { firebaseApp } from './data/firebaseApp';
import { firestore } from './data/firestore/db';
import { CloudKitLegacyStore } from './data/legacy/cloudkit/cloudKitLegacyStore';
import { FirestoreWebAuthTokenStore } from './data/legacy/firestoreWebAuthTokenStore';
import type { LegacyStore } from './data/legacy/legacyStore';
import { ReconfiguringLegacyStore } from './data/legacy/reconfiguringLegacyStore';
import { TokenCipher } from './data/legacy/tokenCipher';
import type { WebAuthTokenStore } from './data/legacy/webAuthTokens';
import { OutboxDelivery } from './data/outbox/outboxDelivery';
import { OutboxDrain, type OutcomeListener } from './data/outbox/outboxDrain';
import { enqueueDrain } from './data/outbox/deliveryQueue';
import {
  CATCH_UPS,
  LEGACY_CONVERSATIONS,
  OUTBOX_DRAINS,
  UserLeases,
} from './data/firestore/userLease';
import { catchUpDueBefore } from './domain/catchUp';
import { CatchUpJob } from './migration/catchUpJob';
import { CatchUpSweep } from './migration/catchUpSweep';
import { cloudCatchUpTasks } from './migration/catchUpTasks';
import { SerializedLegacyStore } from './data/legacy/serializedLegacyStore';
import { DeliveryTelemetry } from './telemetry/deliveryTelemetry';
import { recordInOutbox } from './data/outbox/outboxRecorder';
import { requeueOutbox } from './data/outbox/outboxRequeue';
import { LegacyReadFallback } from './data/legacyReadFallback';
import { tombstonedIds } from './data/firestore/tombstones';
import { RepositoryFacade } from './data/repositoryFacade';
import { FirestoreSnapshotReader } from './data/snapshots/firestoreSnapshotReader';
import { legacyUserSnapshot } from './data/snapshots/legacyUserSnapshot';
import { SnapshotService } from './data/snapshots/snapshotService';
import { FeatureFlags } from './flags/featureFlags';
import { fileTemplateSource, remoteConfigTemplateSource } from './flags/templateSource';
import { BackfillFanOut } from './migration/backfillFanOut';
import { BackfillJob } from './migration/backfillJob';
import { BackfillRequests } from './migration/backfillRequests';
import { cloudBackfillTasks } from './migration/backfillTasks';
import { MigrationStateStore } from './migration/migrationStateStore';
import type { LegacyLinkDependencies } from './migration/legacyLink';
import { inBackfillRollout } from './flags/featureFlags';
import { config } from './config';
import { FirestoreTelemetry } from './telemetry/firestoreTelemetry';
import type { BufferedCounts } from './telemetry/telemetryEvents';

/**
 * The object graph, built on first use so that loading the functions for discovery touches no
 * service and reads no secret. One instance of each per function instance.
 */
function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/** One per instance: every component records into it; background handlers flush it as they end. */
export const telemetry = lazy<BufferedCounts>(() => new FirestoreTelemetry(firestore()));

export const migrations = lazy(() => new MigrationStateStore(firestore()));

export const legacyTokens = lazy<WebAuthTokenStore>(
  () => new FirestoreWebAuthTokenStore(firestore(), new TokenCipher(tokenEncryptionKey())),
);

/** Every CloudKit call for a user holds that user's conversation lease (single-use tokens). */
export const legacyStore = lazy<LegacyStore>(
  () =>
    new ReconfiguringLegacyStore(
      async () => {
        const { values } = await featureFlags().forUser();
        return { timeoutMs: values.legacyTimeoutMs, maxRetries: values.legacyMaxRetries };
      },
      (limits) =>
        new SerializedLegacyStore(
          new CloudKitLegacyStore({ ...cloudKitSettings(), ...limits }, legacyTokens()),
          new UserLeases(firestore(), LEGACY_CONVERSATIONS),
          { leaseMs: legacyConversationLeaseMs(limits), waitMs: config.legacyConversationWaitMs },
        ),
    ),
);

export const featureFlags = lazy(() => {
  const file = flagsTemplateFile();
  const source = file
    ? fileTemplateSource(resolve(process.cwd(), file))
    : remoteConfigTemplateSource(firebaseApp());
  return new FeatureFlags(source, { app: firebaseApp(), cacheTtlMs: flagCacheTtlMs() });
});

const firestoreHabits = lazy(() => new FirestoreHabitRepository(firestore()));
/** The same repository, recording every change in the outbox for CloudKit (dual-write). */
const dualWriteHabits = lazy(
  () => new FirestoreHabitRepository(firestore(), undefined, recordInOutbox),
);

export const backfillTasks = cloudBackfillTasks;

export const backfillRequests = lazy(
  () => new BackfillRequests(migrations(), backfillTasks, telemetry()),
);

/** Whether the user's backfill may start now: the flag is on and they are in the rollout. */
export async function backfillAllowed(
  uid: string,
): Promise<'allowed' | 'backfill_disabled' | 'not_in_rollout'> {
  const snapshot = await featureFlags().forUser(uid);
  if (!snapshot.values.backfillEnabled) return 'backfill_disabled';
  return inBackfillRollout(uid, snapshot) ? 'allowed' : 'not_in_rollout';
}

export const backfillFanOut = lazy(
  () =>
    new BackfillFanOut(
      legacyStore(),
      backfillRequests(),
      backfillTasks,
      async (uid) => inBackfillRollout(uid, await featureFlags().forUser(uid)),
      telemetry(),
    ),
);

export const backfillJob = lazy(
  () =>
    new BackfillJob({
      db: firestore(),
      states: migrations(),
      legacy: legacyStore(),
      tasks: backfillTasks,
      telemetry: telemetry(),
      flags: async (uid) => (await featureFlags().forUser(uid)).values,
      recomputeStreaks: async (uid, maintainedBy) =>
        (await habitWriterFor(uid)).finishStreaks(uid, maintainedBy),
      leaseMs: config.backfillLeaseMs,
      taskBudgetMs: config.backfillTaskBudgetMs,
    }),
);

/** Background writes reach CloudKit too, while dual-write is on for the user. */
async function habitWriterFor(uid: string): Promise<FirestoreHabitRepository> {
  return (await habits().modeFor(uid)).dualWrite ? dualWriteHabits() : firestoreHabits();
}

async function recomputeStreaks(uid: string, only?: readonly string[]): Promise<number> {
  return (await habitWriterFor(uid)).recomputeStreaks(uid, only);
}

export const habitWorkJob = lazy(
  () =>
    new HabitWorkJob(
      firestore(),
      {
        purgeCompletions: async (uid, habitId, limit, deletedBefore) =>
          (await habitWriterFor(uid)).purgeCompletions(uid, habitId, limit, deletedBefore),
        recountStreak: async (uid, habitId) =>
          (await habitWriterFor(uid)).recountStreak(uid, habitId),
      },
      config.habitWork,
    ),
);

export const catchUpTasks = cloudCatchUpTasks;

/** Asks for a catch-up of a migrated user now (a link, a fallback read, a continuation). */
export function requestCatchUp(uid: string, source: string): Promise<void> {
  const requestedAt = new Date().toISOString();
  return catchUpTasks.enqueueCatchUp({ uid, requestedAt }, `${source}:${requestedAt}`);
}

export const catchUpJob = lazy(
  () =>
    new CatchUpJob({
      db: firestore(),
      states: migrations(),
      legacy: legacyStore(),
      leases: new UserLeases(firestore(), CATCH_UPS),
      telemetry: telemetry(),
      flags: async (uid) => (await featureFlags().forUser(uid)).values,
      recomputeStreaks,
      continueLater: (uid) => requestCatchUp(uid, 'continuation'),
      settings: config.catchUp,
    }),
);

export const catchUpSweep = lazy(
  () => new CatchUpSweep(firestore(), catchUpTasks, config.catchUpSweepPageSize),
);

/** The schedule's tick: followed users whose last catch-up is older than the flag's interval. */
export async function scheduleCatchUps(at: Date): Promise<void> {
  const { values } = await featureFlags().forUser();
  if (!values.legacyCatchUpEnabled || values.forceMigrationComplete) return;
  await catchUpTasks.enqueueSweep({
    sweepId: `schedule-${at.toISOString()}`,
    scope: 'due',
    dueBefore: catchUpDueBefore(at, values).toISOString(),
    after: null,
  });
}

export const habits = lazy(
  () =>
    new RepositoryFacade(
      firestoreHabits(),
      dualWriteHabits(),
      {
        flags: async (uid) => (await featureFlags().forUser(uid)).values,
        migrationState: (uid) => migrations().get(uid),
        requestBackfill: async (uid) => {
          if ((await backfillAllowed(uid)) !== 'allowed') return;
          const decision = await backfillRequests().request(uid, { force: false, dryRun: false });
          // Migrated meanwhile: what the read found in CloudKit comes over by the feed.
          if (decision.kind === 'already_completed') await requestCatchUp(uid, 'fallback');
        },
      },
      telemetry(),
      new LegacyReadFallback(legacyStore(), (uid) => tombstonedIds(firestore(), uid)),
    ),
);

export const outboxDelivery = lazy(() => new OutboxDelivery(firestore(), legacyStore()));

/** One per task: its outcomes are flushed when the task ends. */
export const deliveryTelemetry = () => new DeliveryTelemetry(telemetry());

export const outboxDrain = (onOutcome: OutcomeListener) =>
  new OutboxDrain(
    firestore(),
    outboxDelivery(),
    new UserLeases(firestore(), OUTBOX_DRAINS),
    config.outboxDrain,
    (uid) => enqueueDrain(uid, `continue@${Date.now()}`),
    onOutcome,
  );

export const requeueLegacyWrites = (uid: string) => requeueOutbox(firestore(), uid, new Date());

export const legacyLink = (): LegacyLinkDependencies => ({
  tokens: legacyTokens(),
  legacy: legacyStore(),
  requeueWrites: requeueLegacyWrites,
  states: migrations(),
  backfills: backfillRequests(),
  catchUp: (uid) => requestCatchUp(uid, 'link'),
});

export const snapshots = lazy(
  () =>
    new SnapshotService(new FirestoreSnapshotReader(firestore()), telemetry(), {
      maxEntries: config.snapshotCacheEntries,
      legacy: async (uid, version) => {
        const legacy = await habits().legacySnapshot(uid);
        return legacy && legacyUserSnapshot(legacy, version, new Date());
      },
    }),
);
