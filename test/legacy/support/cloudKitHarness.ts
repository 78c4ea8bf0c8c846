import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudKitLegacyStore } from '../../../functions/src/data/legacy/cloudkit/cloudKitLegacyStore';
import type { CloudKitConfig } from '../../../functions/src/data/legacy/cloudkit/cloudKitConfig';
import { startSimulator } from '../../../tools/cloudkit-sim/src';
import type { CkJsonRecord } from './ckFixtures';
import type { LegacyFault, LegacyStoreHarness } from './harness';
import { MemoryWebAuthTokenStore } from './memoryWebAuthTokens';

export interface CloudKitHarnessOptions {
  tokenMode?: 'reusable' | 'rotating';
  /** Sign public-database calls with a key the simulator does not know. */
  wrongServerKey?: boolean;
  timeoutMs?: number;
  maxRetries?: number;
}

export interface CloudKitHarness extends LegacyStoreHarness {
  readonly store: CloudKitLegacyStore;
  readonly config: CloudKitConfig;
  readonly simulatorUrl: string;
}

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

const newPemPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};

/**
 * The CloudKit adapter against a simulator started in-process on a free port, persisting to a temp
 * file so it can restart on the same data. Retry waits go to a recorder, not to the clock.
 */
export async function startCloudKitHarness(
  options: CloudKitHarnessOptions = {},
): Promise<CloudKitHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudkit-legacy-'));
  const dataFile = join(dir, 'sim.json');
  const trusted = newPemPair();
  const signing = options.wrongServerKey ? newPemPair() : trusted;
  // Random and distinctive, so a leak check can find it anywhere.
  const apiToken = `api+${randomBytes(12).toString('base64')}`;
  const keyId = 'test-server-key';
  const simOptions = {
    port: 0,
    dataFile,
    apiToken,
    tokenMode: options.tokenMode ?? 'reusable',
    serverKeys: [{ keyId, publicKeyPem: trusted.publicKeyPem }],
  };

  const tokens = new MemoryWebAuthTokenStore();
  const waits: number[] = [];
  let sim: Simulator = await startSimulator(simOptions);

  const configFor = (baseUrl: string): CloudKitConfig => ({
    baseUrl,
    container: 'iCloud.com.example.habits',
    environment: 'development',
    apiToken,
    serverKey: { keyId, privateKeyPem: signing.privateKeyPem },
    timeoutMs: options.timeoutMs ?? 300,
    maxRetries: options.maxRetries ?? 3,
  });
  const storeFor = (config: CloudKitConfig) =>
    new CloudKitLegacyStore(config, tokens, {
      sleep: async (ms) => {
        waits.push(ms);
      },
      retryBaseDelayMs: 5,
      maxRetryDelayMs: 40,
    });

  let config = configFor(sim.url);
  let store = storeFor(config);

  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  return {
    get store() {
      return store;
    },
    get config() {
      return config;
    },
    get simulatorUrl() {
      return sim.url;
    },
    tokens,
    waits,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    async addUser(uid: string) {
      await admin('POST', '/__sim/users', { uid });
      const { webAuthToken } = (await admin('POST', '/__sim/tokens', { uid })) as {
        webAuthToken: string;
      };
      await tokens.link(uid, webAuthToken);
    },
    async putRecords(uid: string, records: CkJsonRecord[]) {
      await admin('PUT', `/__sim/users/${encodeURIComponent(uid)}/records`, { records });
    },
    async injectFault(fault: LegacyFault) {
      await admin('POST', '/__sim/faults', fault);
    },
    async clearFaults() {
      await admin('DELETE', '/__sim/faults');
    },
    async expireToken(uid: string) {
      await admin('POST', '/__sim/tokens/expire', { uid });
    },
    async restart() {
      await sim.close();
      sim = await startSimulator(simOptions);
      config = configFor(sim.url);
      store = storeFor(config);
    },
    secrets() {
      return [apiToken, signing.privateKeyPem, trusted.privateKeyPem];
    },
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
