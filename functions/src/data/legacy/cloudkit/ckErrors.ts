import {
  LegacyRejectedError,
  LegacyUnavailableError,
  type LegacyStoreError,
} from '../legacyErrors';

export type CkDatabase = 'public' | 'private';

/** The error body CloudKit sends with a failed request, and per record inside a batch response. */
export interface CkServerError {
  serverErrorCode?: string;
  reason?: string;
  retryAfter?: number;
  uuid?: string;
}

/** Codes worth another attempt later; anything else will fail the same way again. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'THROTTLED',
  'TRY_AGAIN_LATER',
  'INTERNAL_ERROR',
]);

/** Not an error: the user's web auth token is missing or expired, so the work waits for a link. */
export const AUTHENTICATION_REQUIRED = 'authentication_required' as const;

export interface FailedResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body was not JSON. */
  body: unknown;
  headers: Headers;
  database: CkDatabase;
  op: string;
  /** Already scrubbed of secrets by the caller. */
  reason?: string;
}

export function errorFromResponse(
  failed: FailedResponse,
): LegacyStoreError | typeof AUTHENTICATION_REQUIRED {
  const server = asServerError(failed.body);
  const code = server.serverErrorCode ?? `HTTP_${failed.status}`;
  if (failed.status === 421 || code === 'AUTHENTICATION_REQUIRED') {
    // Server keys reach the public database only, so a 421 there is a configuration fault.
    if (failed.database === 'private') return AUTHENTICATION_REQUIRED;
  }
  const retryAfter = server.retryAfter ?? retryAfterHeader(failed.headers);
  const message =
    `CloudKit ${failed.database}/${failed.op} failed: ${code} (HTTP ${failed.status})` +
    (failed.reason ? `: ${failed.reason}` : '');
  const retryable =
    RETRYABLE_CODES.has(code) ||
    failed.status === 429 ||
    failed.status >= 500 ||
    // Apple: a retryAfter means the same request may succeed later.
    retryAfter !== undefined;
  return retryable
    ? new LegacyUnavailableError(message, code, retryAfter)
    : new LegacyRejectedError(message, code);
}

export function asServerError(body: unknown): CkServerError {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  return {
    serverErrorCode: typeof b.serverErrorCode === 'string' ? b.serverErrorCode : undefined,
    reason: typeof b.reason === 'string' ? b.reason : undefined,
    retryAfter: typeof b.retryAfter === 'number' && b.retryAfter >= 0 ? b.retryAfter : undefined,
    uuid: typeof b.uuid === 'string' ? b.uuid : undefined,
  };
}

function retryAfterHeader(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value);
}

/** Causes of undici's `TypeError: fetch failed` (or `terminated` mid-body) that a retry may cure. */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TRANSIENT_NETWORK_MESSAGES = ['socket hang up', 'other side closed'];

/**
 * A thrown fetch (or body read) as a typed error, or undefined when it is not a network failure
 * at all (a bug, which must surface as itself). Messages name codes only: undici's own messages
 * may carry the URL, and with it the tokens.
 */
export function errorFromFetchFailure(
  error: unknown,
  database: CkDatabase,
  op: string,
): LegacyStoreError | undefined {
  const where = `CloudKit ${database}/${op}`;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new LegacyUnavailableError(`${where} timed out`, 'TIMEOUT');
  }
  // By name, not instanceof: fetch's errors may come from another realm (as under jest).
  if (name !== 'TypeError') return undefined;
  const { message: fetchMessage, cause: rawCause } = error as {
    message?: unknown;
    cause?: unknown;
  };
  if (fetchMessage !== 'fetch failed' && fetchMessage !== 'terminated') return undefined;
  const cause = rawCause as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const causeCode = typeof cause?.code === 'string' ? cause.code : undefined;
  const causeMessage = typeof cause?.message === 'string' ? cause.message : '';
  if (cause?.name === 'TimeoutError' || cause?.name === 'AbortError') {
    return new LegacyUnavailableError(`${where} timed out`, 'TIMEOUT');
  }
  if (
    fetchMessage === 'terminated' ||
    (causeCode !== undefined && TRANSIENT_NETWORK_CODES.has(causeCode)) ||
    TRANSIENT_NETWORK_MESSAGES.some((m) => causeMessage.includes(m))
  ) {
    return new LegacyUnavailableError(
      `${where}: connection failed (${causeCode ?? 'reset'})`,
      'CONNECTION_RESET',
    );
  }
  // DNS failures, bad certificates and the like: configuration, not weather.
  return new LegacyRejectedError(
    `${where}: network error (${causeCode ?? 'unknown'})`,
    'NETWORK_ERROR',
  );
}
