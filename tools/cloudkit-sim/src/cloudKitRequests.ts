import type { IncomingMessage } from 'node:http';
import { CkError, badRequest, ckErrorBody } from './ckErrors';
import type { FaultTarget, RequestFault } from './faults';
import { isObject, parseJsonObject } from './httpIo';
import { PRIVATE_OPERATIONS } from './privateDatabase';
import { publicQuery } from './publicDatabase';
import { presentRecord } from './recordView';
import { verifyServerRequest } from './serverSignature';
import { ok, type Reply, type SimContext } from './simContext';
import type { CkRecord } from './types';

const PATH = /^\/database\/1\/([^/]+)\/([^/]+)\/([^/]+)\/(.+)$/;
const ROTATED_TOKEN_HEADER = 'X-Apple-CloudKit-Web-Auth-Token';

/** One CloudKit Web Services request: faults first (as a flaky network would), then auth, then the op. */
export async function cloudKitRequest(
  ctx: SimContext,
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
): Promise<Reply> {
  const match = PATH.exec(url.pathname);
  const fault = ctx.faults.take(faultTarget(ctx, req, url, raw, match));
  if (fault) {
    const injected = await applyFault(ctx, fault, req);
    if (injected) return injected;
  }
  if (!match) throw new CkError('NOT_FOUND', `no CloudKit endpoint at ${url.pathname}`);
  const [, container, environment, database, operation] = match;
  if (decodeURIComponent(container) !== ctx.container) {
    throw badRequest(`unknown container ${decodeURIComponent(container)}`);
  }
  if (environment !== 'development' && environment !== 'production') {
    throw badRequest(`unknown environment ${environment}`);
  }
  const key = `${req.method ?? 'GET'} ${operation}`;

  if (database === 'public') {
    if (key !== 'POST records/query') {
      throw badRequest(`${key} is not simulated in the public database`);
    }
    verifyServerRequest(req.headers, raw, url.pathname, ctx.serverKeys);
    return ok(publicQuery(ctx.store, parseJsonObject(raw)));
  }
  if (database !== 'private') throw badRequest(`the ${database} database is not simulated`);

  const handler = PRIVATE_OPERATIONS[key];
  if (!handler) throw badRequest(`${key} is not simulated in the private database`);
  const webAuthToken = url.searchParams.get('ckWebAuthToken') ?? '';
  const user =
    url.searchParams.get('ckAPIToken') === ctx.apiToken
      ? ctx.tokens.verify(webAuthToken)
      : undefined;
  if (!user) {
    throw new CkError(
      'AUTHENTICATION_REQUIRED',
      'a valid ckAPIToken and ckWebAuthToken are required',
    );
  }
  const body = parseJsonObject(raw);
  const present = (record: CkRecord) => presentRecord(record, ctx.faults.corrupted);
  const result = handler({ store: ctx.store, user, body, present });
  // Rotated only on success: a refused call leaves the caller's token usable.
  const next = ctx.tokens.rotate(webAuthToken, user);
  return ok(result, next === undefined ? undefined : { [ROTATED_TOKEN_HEADER]: next });
}

/**
 * Faults come before authentication and the operation, so the user and the records a request is
 * about are read here on their own terms: the token is verified without being spent (a faulted
 * request must leave it usable), and a body that will not parse simply names no records (the
 * operation reports it, if no fault does first).
 */
function faultTarget(
  ctx: SimContext,
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  match: RegExpExecArray | null,
): FaultTarget {
  const [, , , database, operation] = match ?? [];
  const isPrivate = database === 'private';
  const key = `${req.method ?? 'GET'} ${operation}`;
  return {
    path: url.pathname,
    uid: once(() =>
      isPrivate ? ctx.tokens.verify(url.searchParams.get('ckWebAuthToken') ?? '')?.uid : undefined,
    ),
    recordNames: once(() => (isPrivate ? namedRecords(key, raw) : [])),
  };
}

/** The record names a lookup or modify body mentions, in any shape the operation might refuse. */
function namedRecords(key: string, raw: Buffer): string[] {
  let body: Record<string, unknown>;
  try {
    body = parseJsonObject(raw);
  } catch {
    return [];
  }
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const entries =
    key === 'POST records/lookup'
      ? list(body.records)
      : key === 'POST records/modify'
        ? list(body.operations).map((op) => (isObject(op) ? op.record : undefined))
        : [];
  return entries.flatMap((entry) =>
    isObject(entry) && typeof entry.recordName === 'string' ? [entry.recordName] : [],
  );
}

function once<T>(compute: () => T): () => T {
  let result: { value: T } | undefined;
  return () => (result ??= { value: compute() }).value;
}

async function applyFault(
  ctx: SimContext,
  fault: RequestFault,
  req: IncomingMessage,
): Promise<Reply | undefined> {
  const retryAfter = { 'retry-after': String(fault.retryAfter) };
  switch (fault.kind) {
    case 'reset':
      return 'drop';
    case 'throttle':
      return {
        status: 429,
        body: ckErrorBody('THROTTLED', 'simulated throttling', fault.retryAfter),
        headers: retryAfter,
      };
    case 'unavailable':
      return {
        status: 503,
        body: ckErrorBody('TRY_AGAIN_LATER', 'simulated outage', fault.retryAfter),
        headers: retryAfter,
      };
    case 'http500':
      return { status: 500, body: ckErrorBody('INTERNAL_ERROR', 'simulated server error') };
    case 'delay':
      await ctx.sleep(fault.delayMs);
      // A client that timed out has retried by now: running its stale request late would apply
      // writes twice over or, in rotating mode, spend the token the retry is using.
      return req.socket.destroyed ? 'drop' : undefined;
  }
}
