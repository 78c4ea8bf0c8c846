import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CkError } from './ckErrors';
import { adminRequest } from './adminRequests';
import { cloudKitRequest } from './cloudKitRequests';
import { generateDemoData } from './demoData';
import { Faults } from './faults';
import { readBody, sendJson } from './httpIo';
import { openStore } from './persistence';
import { importUsers } from './seeding';
import { loadServerKeys } from './serverSignature';
import type { Reply, SimContext } from './simContext';
import type { RunningSimulator, SimulatorOptions } from './types';
import { WebAuthTokens } from './webAuthTokens';

const DEFAULT_TTL_MS = 30 * 60 * 1000;

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const persisted = openStore(options.dataFile, { compactAtBytes: options.compactLogAtBytes });
  const { store } = persisted;
  if (options.seed && store.users.size === 0) importUsers(store, generateDemoData(options.seed));
  const persist = (): void => persisted.save();
  persist();

  const timers = new Set<NodeJS.Timeout>();
  const ctx: SimContext = {
    store,
    tokens: new WebAuthTokens(
      store,
      options.tokenMode ?? 'reusable',
      options.tokenTtlMs ?? DEFAULT_TTL_MS,
    ),
    faults: new Faults(),
    serverKeys: loadServerKeys(options.serverKeys ?? []),
    container: options.container ?? 'iCloud.com.example.habits',
    apiToken: options.apiToken ?? 'sim-api-token',
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
  };

  const server = createServer((req, res) => {
    void handle(ctx, req, res, persist);
  });
  // Idle connections are closed by the clients (fetch's pool lets go of them after 4 s), never by
  // us: a server-side close races a client reusing the socket ("other side closed"), and it fires
  // late and all at once after the event loop was busy (a compaction of a large store).
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Delayed requests would otherwise hold the process open until their timers fire.
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }).then(() => persisted.close());
      return closing;
    },
  };
}

/** Data is on disk before the client hears of a change, so a restart can never lose an acknowledged write. */
async function handle(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  persist: () => void,
): Promise<void> {
  let reply: Reply;
  try {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const raw = await readBody(req);
    reply = url.pathname.startsWith('/__sim/')
      ? adminRequest(ctx, req.method ?? 'GET', url.pathname, raw)
      : await cloudKitRequest(ctx, req, url, raw);
    persist();
  } catch (err) {
    if (!(err instanceof CkError)) process.stderr.write(`cloudkit-sim: ${String(err)}\n`);
    const error = err instanceof CkError ? err : new CkError('INTERNAL_ERROR', 'simulator failure');
    reply = { status: error.status, body: error.body() };
    try {
      persist();
    } catch (persistErr) {
      process.stderr.write(`cloudkit-sim: could not save: ${String(persistErr)}\n`);
    }
  }
  if (reply === 'drop') {
    req.socket.destroy();
    return;
  }
  if (!res.destroyed) sendJson(res, reply.status, reply.body, reply.headers);
}
