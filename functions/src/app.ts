import { resolve } from 'node:path';
import type { App } from 'firebase-admin/app';
import type { Firestore } from 'firebase-admin/firestore';
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
import type { CloudKitConfig } from './data/legacy/cloudkit/cloudKitConfig';
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
import {
  fileTemplatePublisher,
  remoteConfigTemplatePublisher,
  type TemplatePublisher,
} from './flags/templatePublisher';
import { BackfillFanOut } from './migration/backfillFanOut';
import { BackfillJob } from './migration/backfillJob';
import { BackfillRequests } from './migration/backfillRequests';
import { cloudBackfillTasks } from './migration/backfillTasks';
import { MigrationStateStore } from './migration/migrationStateStore';
import type { LegacyLinkDependencies } from './migration/legacyLink';
import { inBackfillRollout } from './flags/featureFlags';
import { config } from './config';
import { ConsistencyFindings } from './migration/consistency/consistencyFindings';
import { ContinuousVerification } from './migration/consistency/continuousVerification';
import { ShadowComparison } from './migration/consistency/shadowComparison';
import { ShadowSampler } from './migration/consistency/shadowSampler';
import { enqueueShadowCompare } from './migration/consistency/shadowTasks';
import { FirestoreTelemetry } from './telemetry/firestoreTelemetry';
import type { BufferedCounts } from './telemetry/telemetryEvents';

function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/**
 * What differs between the deployed functions and the operators' command line: the project's
 * services and where settings and secrets come from. Everything else is built the same way, here.
 */
export interface AppParams {
  firebaseApp: () => App;
  firestore: () => Firestore;
  /** CloudKit Web Services: origin, container, environment, API token and server key. */
  cloudKit: () => Omit<CloudKitConfig, 'timeoutMs' | 'maxRetries'>;
  tokenEncryptionKey: () => string;
  /** An absolute path: flags from that template file (emulators); empty: Remote Config. */
  flagsTemplateFile: () => string;
  flagCacheTtlMs: () => number;
}

/**
 * The one composition root: the object graph, each part built on first use so that loading the
 * functions for discovery touches no service and reads no secret. One graph per function
 * instance (`functionsApp` below) or per command-line run (ops/opsContext.ts).
 */
export function createApp(params: AppParams) {
  /** One per instance: every component records into it; background handlers flush it as they end. */
  const telemetry = lazy<BufferedCounts>(() => new FirestoreTelemetry(params.firestore()));

  const migrations = lazy(() => new MigrationStateStore(params.firestore()));

  const legacyTokens = lazy<WebAuthTokenStore>(
    () =>
      new FirestoreWebAuthTokenStore(
        params.firestore(),
        new TokenCipher(params.tokenEncryptionKey()),
      ),
  );

  /** Every CloudKit call for a user holds that user's conversation lease (single-use tokens). */
  const legacyStore = lazy<LegacyStore>(
    () =>
      new ReconfiguringLegacyStore(
        async () => {
          const { values } = await featureFlags().forUser();
          return { timeoutMs: values.legacyTimeoutMs, maxRetries: values.legacyMaxRetries };
        },
        (limits) =>
          new SerializedLegacyStore(
            new CloudKitLegacyStore({ ...params.cloudKit(), ...limits }, legacyTokens()),
            new UserLeases(params.firestore(), LEGACY_CONVERSATIONS),
            { leaseMs: legacyConversationLeaseMs(limits), waitMs: config.legacyConversationWaitMs },
          ),
      ),
  );

  const featureFlags = lazy(() => {
    const file = params.flagsTemplateFile();
    const source = file
      ? fileTemplateSource(file)
      : remoteConfigTemplateSource(params.firebaseApp());
    return new FeatureFlags(source, {
      app: params.firebaseApp(),
      cacheTtlMs: params.flagCacheTtlMs(),
    });
  });

  /** Publishes flags where featureFlags reads them: the same file, or Remote Config. */
  const templatePublisher = lazy<TemplatePublisher>(() => {
    const file = params.flagsTemplateFile();
    return file ? fileTemplatePublisher(file) : remoteConfigTemplatePublisher(params.firebaseApp());
  });

  const firestoreHabits = lazy(() => new FirestoreHabitRepository(params.firestore()));
  /** The same repository, recording every change in the outbox for CloudKit (dual-write). */
  const dualWriteHabits = lazy(
    () => new FirestoreHabitRepository(params.firestore(), undefined, recordInOutbox),
  );

  const backfillTasks = cloudBackfillTasks;

  const backfillRequests = lazy(
    () => new BackfillRequests(migrations(), backfillTasks, telemetry()),
  );

  /** Whether the user's backfill may start now: the flag is on and they are in the rollout. */
  async function backfillAllowed(
    uid: string,
  ): Promise<'allowed' | 'backfill_disabled' | 'not_in_rollout'> {
    const snapshot = await featureFlags().forUser(uid);
    if (!snapshot.values.backfillEnabled) return 'backfill_disabled';
    return inBackfillRollout(uid, snapshot) ? 'allowed' : 'not_in_rollout';
  }

  const backfillFanOut = lazy(
    () =>
      new BackfillFanOut(
        legacyStore(),
        backfillRequests(),
        backfillTasks,
        async (uid) => inBackfillRollout(uid, await featureFlags().forUser(uid)),
        telemetry(),
      ),
  );

  const backfillJob = lazy(
    () =>
      new BackfillJob({
        db: params.firestore(),
        states: migrations(),
        legacy: legacyStore(),
        tasks: backfillTasks,
        telemetry: telemetry(),
        flags: async (uid) => (await featureFlags().forUser(uid)).values,
        finishStreaks: async (uid, maintainedBy) =>
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

  const habitWorkJob = lazy(
    () =>
      new HabitWorkJob(
        params.firestore(),
        {
          purgeCompletions: async (uid, habitId, limit, deletedBefore) =>
            (await habitWriterFor(uid)).purgeCompletions(uid, habitId, limit, deletedBefore),
          recountStreak: async (uid, habitId) =>
            (await habitWriterFor(uid)).recountStreak(uid, habitId),
        },
        config.habitWork,
      ),
  );

  const catchUpTasks = cloudCatchUpTasks;

  /** Asks for a catch-up of a migrated user now (a link, a fallback read, a continuation). */
  function requestCatchUp(uid: string, source: string): Promise<void> {
    const requestedAt = new Date().toISOString();
    return catchUpTasks.enqueueCatchUp({ uid, requestedAt }, `${source}:${requestedAt}`);
  }

  const catchUpJob = lazy(
    () =>
      new CatchUpJob({
        db: params.firestore(),
        states: migrations(),
        legacy: legacyStore(),
        leases: new UserLeases(params.firestore(), CATCH_UPS),
        telemetry: telemetry(),
        flags: async (uid) => (await featureFlags().forUser(uid)).values,
        recomputeStreaks,
        continueLater: (uid) => requestCatchUp(uid, 'continuation'),
        settings: config.catchUp,
      }),
  );

  const catchUpSweep = lazy(
    () => new CatchUpSweep(params.firestore(), catchUpTasks, config.catchUpSweepPageSize),
  );

  /** The schedule's tick: followed users whose last catch-up is older than the flag's interval. */
  async function scheduleCatchUps(at: Date): Promise<void> {
    const { values } = await featureFlags().forUser();
    if (!values.legacyCatchUpEnabled || values.forceMigrationComplete) return;
    await catchUpTasks.enqueueSweep({
      sweepId: `schedule-${at.toISOString()}`,
      scope: 'due',
      dueBefore: catchUpDueBefore(at, values).toISOString(),
      after: null,
    });
  }

  const habits = lazy(
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
        new LegacyReadFallback(legacyStore(), (uid) => tombstonedIds(params.firestore(), uid)),
        shadowSampler(),
      ),
  );

  const userFlags = async (uid: string) => (await featureFlags().forUser(uid)).values;

  /** Samples migrated users' reads for a comparison with CloudKit, off the request path. */
  const shadowSampler = lazy(
    () =>
      new ShadowSampler({
        flags: userFlags,
        migrationState: (uid) => migrations().get(uid),
        enqueue: enqueueShadowCompare,
      }),
  );

  /** Open inconsistencies, and repairs through delivery and catch-up. */
  const consistencyFindings = lazy(
    () => new ConsistencyFindings(params.firestore(), (uid) => requestCatchUp(uid, 'consistency')),
  );

  const shadowComparison = lazy(
    () =>
      new ShadowComparison({
        db: params.firestore(),
        legacy: legacyStore(),
        states: migrations(),
        telemetry: telemetry(),
        flags: userFlags,
        findings: consistencyFindings(),
      }),
  );

  const continuousVerification = lazy(
    () =>
      new ContinuousVerification({
        db: params.firestore(),
        legacy: legacyStore(),
        states: migrations(),
        flags: userFlags,
        findings: consistencyFindings(),
        settings: config.consistency,
      }),
  );

  const outboxDelivery = lazy(() => new OutboxDelivery(params.firestore(), legacyStore()));

  /** One per task: its outcomes are flushed when the task ends. */
  const deliveryTelemetry = () => new DeliveryTelemetry(telemetry());

  const outboxDrain = (onOutcome: OutcomeListener) =>
    new OutboxDrain(
      params.firestore(),
      outboxDelivery(),
      new UserLeases(params.firestore(), OUTBOX_DRAINS),
      config.outboxDrain,
      (uid) => enqueueDrain(uid, `continue@${Date.now()}`),
      onOutcome,
    );

  const requeueLegacyWrites = (uid: string) => requeueOutbox(params.firestore(), uid, new Date());

  const legacyLink = (): LegacyLinkDependencies => ({
    tokens: legacyTokens(),
    legacy: legacyStore(),
    requeueWrites: requeueLegacyWrites,
    states: migrations(),
    backfills: backfillRequests(),
    catchUp: (uid) => requestCatchUp(uid, 'link'),
  });

  const snapshots = lazy(
    () =>
      new SnapshotService(new FirestoreSnapshotReader(params.firestore()), telemetry(), {
        maxEntries: config.snapshotCacheEntries,
        legacy: async (uid, version) => {
          const legacy = await habits().legacySnapshot(uid);
          return legacy && legacyUserSnapshot(legacy, version, new Date());
        },
      }),
  );

  return {
    telemetry,
    migrations,
    legacyTokens,
    legacyStore,
    featureFlags,
    templatePublisher,
    backfillTasks,
    backfillRequests,
    backfillAllowed,
    backfillFanOut,
    backfillJob,
    habitWorkJob,
    catchUpTasks,
    requestCatchUp,
    catchUpJob,
    catchUpSweep,
    scheduleCatchUps,
    habits,
    shadowComparison,
    continuousVerification,
    outboxDelivery,
    deliveryTelemetry,
    outboxDrain,
    requeueLegacyWrites,
    legacyLink,
    snapshots,
  };
}

/** The deployed functions' graph: parameters and secrets as config.ts reads them. */
export const functionsApp = createApp({
  firebaseApp,
  firestore,
  cloudKit: cloudKitSettings,
  tokenEncryptionKey,
  // Relative paths are taken from the functions folder, where the emulator runs the code.
  flagsTemplateFile: () => {
    const file = flagsTemplateFile();
    return file && resolve(process.cwd(), file);
  },
  flagCacheTtlMs,
});
