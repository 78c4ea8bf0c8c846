import { resolve } from 'node:path';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { CloudKitLegacyStore } from '../data/legacy/cloudkit/cloudKitLegacyStore';
import { FirestoreWebAuthTokenStore } from '../data/legacy/firestoreWebAuthTokenStore';
import type { LegacyStore } from '../data/legacy/legacyStore';
import { TokenCipher } from '../data/legacy/tokenCipher';
import { FeatureFlags } from '../flags/featureFlags';
import { fileTemplateSource, remoteConfigTemplateSource } from '../flags/templateSource';
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
    await fetch(`http://${address}/`, { signal: AbortSignal.timeout(2_000) });
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
    emulated ? { projectId, serviceAccountId: 'emulated-service-acct@email.com' } : { projectId },
    `ops-${Date.now()}`,
  );
  const db = getFirestore(app);
  const env = emulated ? { ...emulatedFunctionsEnv(), ...pick(process.env) } : pick(process.env);
  return {
    projectId,
    emulated,
    app,
    db,
    legacyStore: () => cloudKitStore(db, env),
    featureFlags: () => {
      const file = emulated ? env.FLAGS_TEMPLATE_FILE : undefined;
      const source = file
        ? fileTemplateSource(resolve(REPO_ROOT, 'functions', file))
        : remoteConfigTemplateSource(app);
      return new FeatureFlags(source, { app });
    },
    close: () => deleteApp(app),
  };
}

function pick(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** The adapter the functions use, with the same settings and secrets (env vars for a real project). */
function cloudKitStore(db: Firestore, env: Record<string, string>): LegacyStore {
  const missing = CLOUDKIT_VARIABLES.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new OpsError(
      `set ${missing.join(', ')} to reach CloudKit (see docs/operations.md, "Ops command line")`,
      EXIT.usage,
    );
  }
  return new CloudKitLegacyStore(
    {
      baseUrl: env.CLOUDKIT_BASE_URL,
      container: env.CLOUDKIT_CONTAINER,
      environment: env.CLOUDKIT_ENVIRONMENT === 'production' ? 'production' : 'development',
      apiToken: env.CLOUDKIT_API_TOKEN,
      serverKey: {
        keyId: env.CLOUDKIT_SERVER_KEY_ID,
        privateKeyPem: env.CLOUDKIT_SERVER_PRIVATE_KEY,
      },
      timeoutMs: 10_000,
      maxRetries: 3,
    },
    new FirestoreWebAuthTokenStore(db, new TokenCipher(env.LEGACY_TOKEN_ENCRYPTION_KEY)),
  );
}
