import { resolve } from 'node:path';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { createApp } from '../app';
import { config, EMULATED_SERVICE_ACCOUNT } from '../config';
import type { LegacyStore } from '../data/legacy/legacyStore';
import type { FeatureFlags } from '../flags/featureFlags';
import type { TemplatePublisher } from '../flags/templatePublisher';
import type { MigrationStateStore } from '../migration/migrationStateStore';
import type { ContinuousVerification } from '../migration/consistency/continuousVerification';
import {
  EMULATED_PROJECT,
  type EmulatorName,
  emulatedFunctionsEnv,
  emulatorAddress,
  REPO_ROOT,
} from './localEnvironment';

/** Exit codes scripts can branch on. */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem (differences in verify, a watch that timed out). */
  problem: 1,
  usage: 2,
  unreachable: 3,
  unknownUser: 4,
} as const;

export class OpsError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface OpsContext {
  projectId: string;
  emulated: boolean;
  app: App;
  db: Firestore;
  legacyStore(): LegacyStore;
  featureFlags(): FeatureFlags;
  /** Publishes flags where featureFlags reads them (the emulators' template file, or Remote Config). */
  templatePublisher(): TemplatePublisher;
  migrations(): MigrationStateStore;
  continuousVerification(): ContinuousVerification;
  close(): Promise<void>;
}

const CLOUDKIT_VARIABLES = [
  'CLOUDKIT_BASE_URL',
  'CLOUDKIT_CONTAINER',
  'CLOUDKIT_ENVIRONMENT',
  'CLOUDKIT_SERVER_KEY_ID',
  'CLOUDKIT_API_TOKEN',
  'CLOUDKIT_SERVER_PRIVATE_KEY',
  'LEGACY_TOKEN_ENCRYPTION_KEY',
] as const;

async function reachable(address: string): Promise<boolean> {
  try {
    await fetch(`http://${address}/`, {
      signal: AbortSignal.timeout(config.ops.emulatorProbeTimeoutMs),
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the command works: the local emulators for a `demo-` project (the default), otherwise the
 * real project with Application Default Credentials. Emulators are probed first, so a stack that
 * is not running is one clear message, not a gRPC timeout.
 */
export async function connect(
  project: string | undefined,
  needs: readonly EmulatorName[],
): Promise<OpsContext> {
  const projectId = project ?? EMULATED_PROJECT;
  const emulated = projectId.startsWith('demo-');
  if (emulated) {
    for (const name of needs) {
      const address = emulatorAddress(name);
      if (!(await reachable(address))) {
        throw new OpsError(
          `cannot reach the ${name} emulator at ${address}: start the stack with \`npm start\``,
          EXIT.unreachable,
        );
      }
    }
    process.env.FIRESTORE_EMULATOR_HOST = emulatorAddress('firestore');
    process.env.PUBSUB_EMULATOR_HOST = emulatorAddress('pubsub');
    // No Google host is reachable from the emulators: without this the Pub/Sub client still
    // looks for a metadata server and prints a MetadataLookupWarning on every publish.
    process.env.METADATA_SERVER_DETECTION ??= 'none';
  }
  // Emulated: a named service account keeps the SDKs from asking a metadata server for one.
  const app = initializeApp(
    emulated ? { projectId, serviceAccountId: EMULATED_SERVICE_ACCOUNT } : { projectId },
    `ops-${Date.now()}`,
  );
  const db = getFirestore(app);
  // As the functions' own handle is set (data/firestore/db.ts).
  db.settings({ ignoreUndefinedProperties: true });
  const env = emulated ? { ...emulatedFunctionsEnv(), ...pick(process.env) } : pick(process.env);
  // The functions' own object graph, with this run's project and credentials.
  const graph = createApp({
    firebaseApp: () => app,
    firestore: () => db,
    cloudKit: () => cloudKitSettings(env),
    tokenEncryptionKey: () =>
      required(env, ['LEGACY_TOKEN_ENCRYPTION_KEY']).LEGACY_TOKEN_ENCRYPTION_KEY,
    // Relative paths are taken from the functions folder, as the emulated functions take them.
    flagsTemplateFile: () =>
      emulated && env.FLAGS_TEMPLATE_FILE
        ? resolve(REPO_ROOT, 'functions', env.FLAGS_TEMPLATE_FILE)
        : '',
    flagCacheTtlMs: () =>
      env.FLAG_CACHE_TTL_SECONDS
        ? Number(env.FLAG_CACHE_TTL_SECONDS) * 1000
        : config.defaultFlagCacheTtlMs,
  });
  return {
    projectId,
    emulated,
    app,
    db,
    legacyStore: graph.legacyStore,
    featureFlags: graph.featureFlags,
    templatePublisher: graph.templatePublisher,
    migrations: graph.migrations,
    continuousVerification: graph.continuousVerification,
    close: () => deleteApp(app),
  };
}

function pick(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** The named variables, or a usage error naming the missing ones (a real project's env). */
function required<const K extends string>(env: Record<string, string>, names: readonly K[]) {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new OpsError(
      `set ${missing.join(', ')} to reach CloudKit (see docs/operations.md, "Ops command line")`,
      EXIT.usage,
    );
  }
  return env as Record<K, string>;
}

/** The CloudKit settings the functions read from their params and secrets, from the environment. */
function cloudKitSettings(env: Record<string, string>) {
  const found = required(env, CLOUDKIT_VARIABLES);
  return {
    baseUrl: found.CLOUDKIT_BASE_URL,
    container: found.CLOUDKIT_CONTAINER,
    environment:
      found.CLOUDKIT_ENVIRONMENT === 'production'
        ? ('production' as const)
        : ('development' as const),
    apiToken: found.CLOUDKIT_API_TOKEN,
    serverKey: {
      keyId: found.CLOUDKIT_SERVER_KEY_ID,
      privateKeyPem: found.CLOUDKIT_SERVER_PRIVATE_KEY,
    },
  };
}
