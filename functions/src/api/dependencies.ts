import { resolve } from 'node:path';
import { cloudKitSettings, flagsTemplateFile, tokenEncryptionKey } from '../config';
import { FirestoreHabitRepository } from '../data/firestore/firestoreHabitRepository';
import { firebaseApp } from '../data/firebaseApp';
import { firestore } from '../data/firestore/db';
import type { HabitRepository } from '../data/habitRepository';
import { CloudKitLegacyStore } from '../data/legacy/cloudkit/cloudKitLegacyStore';
import { FirestoreWebAuthTokenStore } from '../data/legacy/firestoreWebAuthTokenStore';
import type { LegacyStore } from '../data/legacy/legacyStore';
import { ReconfiguringLegacyStore } from '../data/legacy/reconfiguringLegacyStore';
import { TokenCipher } from '../data/legacy/tokenCipher';
import type { WebAuthTokenStore } from '../data/legacy/webAuthTokens';
import { OutboxDelivery } from '../data/outbox/outboxDelivery';
import { recordInOutbox } from '../data/outbox/outboxRecorder';
import { requeueOutbox } from '../data/outbox/outboxRequeue';
import { LegacyReadFallback } from '../data/legacyReadFallback';
import { RepositoryFacade } from '../data/repositoryFacade';
import { FeatureFlags } from '../flags/featureFlags';
import { fileTemplateSource, remoteConfigTemplateSource } from '../flags/templateSource';
import { MigrationStateStore } from '../migration/migrationStateStore';
import { FirestoreTelemetry } from '../telemetry/firestoreTelemetry';
import type { Telemetry } from '../telemetry/telemetryEvents';

/**
 * The object graph, built on first use so that loading the functions for discovery touches no
 * service and reads no secret. One instance of each per function instance.
 */
function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

export const telemetry = lazy<Telemetry>(() => new FirestoreTelemetry(firestore()));

export const migrations = lazy(() => new MigrationStateStore(firestore()));

export const legacyTokens = lazy<WebAuthTokenStore>(
  () => new FirestoreWebAuthTokenStore(firestore(), new TokenCipher(tokenEncryptionKey())),
);

export const legacyStore = lazy<LegacyStore>(
  () =>
    new ReconfiguringLegacyStore(
      async () => {
        const { values } = await featureFlags().forUser();
        return { timeoutMs: values.legacyTimeoutMs, maxRetries: values.legacyMaxRetries };
      },
      (limits) => new CloudKitLegacyStore({ ...cloudKitSettings(), ...limits }, legacyTokens()),
    ),
);

export const featureFlags = lazy(() => {
  const file = flagsTemplateFile();
  const source = file
    ? fileTemplateSource(resolve(process.cwd(), file))
    : remoteConfigTemplateSource(firebaseApp());
  return new FeatureFlags(source, { app: firebaseApp() });
});

export const habits = lazy<HabitRepository>(
  () =>
    new RepositoryFacade(
      new FirestoreHabitRepository(firestore()),
      new FirestoreHabitRepository(firestore(), undefined, recordInOutbox),
      {
        flags: async (uid) => (await featureFlags().forUser(uid)).values,
        migrationState: (uid) => migrations().get(uid),
      },
      telemetry(),
      new LegacyReadFallback(legacyStore()),
    ),
);

export const outboxDelivery = lazy(() => new OutboxDelivery(firestore(), legacyStore()));

export const requeueLegacyWrites = (uid: string) => requeueOutbox(firestore(), uid, new Date());
