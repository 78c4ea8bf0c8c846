import { backOff } from 'exponential-backoff';
import { LegacyStoreError, LegacyUnavailableError } from '../legacyErrors';
import type { AwaitingLink } from '../legacyStore';
import type { WebAuthTokenStore } from '../webAuthTokens';
import {
  AUTHENTICATION_REQUIRED,
  type CkDatabase,
  asServerError,
  errorFromFetchFailure,
  errorFromResponse,
} from './ckErrors';
import { logs } from '../../../logs';
import type { CloudKitConfig } from './cloudKitConfig';
import { cloudKitDate, signRequest } from './requestSigning';
import { scrubSecrets } from './secretScrub';
import { newWebAuthToken } from './webAuthTokenHeader';

export interface CkClientOptions {
  /** Waits out a server's `retryAfter`; injectable so tests can record waits instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** Dates the signatures. */
  now?: () => Date;
  /** First backoff ceiling; each retry doubles it, with full jitter. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
}

type Method = 'GET' | 'POST';
/** A refused token is forgotten by the attempt that sent it, so it can compare what it sent. */
type Attempt<T> = { body: T } | typeof AUTHENTICATION_REQUIRED;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * JSON over HTTP to CloudKit Web Services: authentication (server key or user token), a timeout
 * per attempt, and retries with backoff for what may succeed later. Knows nothing of records.
 */
export class CkHttpClient {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;

  constructor(
    private readonly config: CloudKitConfig,
    private readonly tokens: WebAuthTokenStore,
    options: CkClientOptions = {},
  ) {
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? (() => new Date());
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 250;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
  }

  /** Public database, signed with the server key (or, without one, the API token alone). */
  async publicCall<T>(op: string, body?: unknown, method: Method = 'POST'): Promise<T> {
    const result = await this.withRetries('public', op, () =>
      this.attempt<T>('public', op, method, body, undefined),
    );
    // errorFromResponse only answers AUTHENTICATION_REQUIRED for the private database.
    if (result === AUTHENTICATION_REQUIRED)
      throw new Error('unreachable: public call awaiting link');
    return result.body;
  }

  /** A user's private database, with the token the store holds for them. */
  async privateCall<T>(
    uid: string,
    op: string,
    body?: unknown,
    method: Method = 'POST',
  ): Promise<T | AwaitingLink> {
    // No token at all: nothing to send, and nothing to invalidate.
    if (!(await this.tokens.get(uid))) return { kind: 'awaiting_link', uid };
    const result = await this.withRetries('private', op, () =>
      this.attempt<T>('private', op, method, body, uid),
    );
    if (result === AUTHENTICATION_REQUIRED) {
      logs.awaitingLink(uid, op);
      return { kind: 'awaiting_link', uid };
    }
    return result.body;
  }

  private async withRetries<T>(
    database: CkDatabase,
    op: string,
    attempt: () => Promise<T>,
  ): Promise<T> {
    const attempts = Math.max(1, this.config.maxRetries + 1);
    try {
      return await backOff(attempt, {
        numOfAttempts: attempts,
        startingDelay: this.retryBaseDelayMs,
        maxDelay: this.maxRetryDelayMs,
        jitter: 'full',
        retry: async (error: unknown, attemptsSoFar: number) => {
          if (!(error instanceof LegacyStoreError) || !error.retryable) return false;
          if (attemptsSoFar >= attempts) return false;
          const waitMs = (error.retryAfterSeconds ?? 0) * 1000;
          logs.retrying(database, op, error.code, attemptsSoFar, waitMs);
          // backOff adds its jittered delay after this, so the server's minimum is always honoured.
          if (waitMs > 0) await this.sleep(waitMs);
          return true;
        },
      });
    } catch (error) {
      if (error instanceof LegacyUnavailableError && attempts > 1) {
        throw new LegacyUnavailableError(
          `${error.message} (gave up after ${attempts} attempts)`,
          error.code,
          error.retryAfterSeconds,
        );
      }
      throw error;
    }
  }

  private async attempt<T>(
    database: CkDatabase,
    op: string,
    method: Method,
    body: unknown,
    uid: string | undefined,
  ): Promise<Attempt<T>> {
    const path = `/database/1/${this.config.container}/${this.config.environment}/${database}/${op}`;
    // Concatenated, not resolved: a base URL with a path prefix (a proxy) keeps its prefix.
    const url = new URL(this.config.baseUrl.replace(/\/+$/, '') + path);
    const payload = method === 'GET' ? '' : JSON.stringify(body ?? {});
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method === 'POST') headers['content-type'] = 'application/json';

    let webAuthToken: string | undefined;
    if (database === 'private') {
      // Read per attempt: a failed attempt may still have rotated the token.
      webAuthToken = await this.tokens.get(uid as string);
      if (!webAuthToken) return AUTHENTICATION_REQUIRED;
      url.searchParams.set('ckAPIToken', this.config.apiToken);
      url.searchParams.set('ckWebAuthToken', webAuthToken);
    } else if (this.config.serverKey?.keyId) {
      Object.assign(
        headers,
        signRequest({
          ...this.config.serverKey,
          date: cloudKitDate(this.now()),
          body: payload,
          subpath: url.pathname,
        }),
      );
    } else {
      url.searchParams.set('ckAPIToken', this.config.apiToken);
    }

    const secrets = [this.config.apiToken, webAuthToken, this.config.serverKey?.privateKeyPem];
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: method === 'GET' ? undefined : payload,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      await this.keepNewerToken(uid, webAuthToken, response);
      const text = await response.text();
      const parsed = parseJson(text);
      if (response.ok) {
        if (parsed === undefined) {
          throw new LegacyUnavailableError(
            `CloudKit ${database}/${op} answered with a body that is not JSON`,
            'MALFORMED_RESPONSE',
          );
        }
        return { body: parsed as T };
      }
      const reason = asServerError(parsed).reason;
      const outcome = errorFromResponse({
        status: response.status,
        body: parsed,
        headers: response.headers,
        database,
        op,
        reason: reason === undefined ? undefined : scrubSecrets(reason, secrets),
      });
      if (outcome === AUTHENTICATION_REQUIRED) {
        // Only if it is still the token held: a link or rotation since then stays.
        if (uid !== undefined && webAuthToken !== undefined) {
          await this.tokens.invalidate(uid, webAuthToken);
        }
        return outcome;
      }
      throw outcome;
    } catch (error) {
      if (error instanceof LegacyStoreError) throw error;
      throw errorFromFetchFailure(error, database, op) ?? error;
    }
  }

  /** Before the body is read: once the headers are in, the old token may already be spent. */
  private async keepNewerToken(
    uid: string | undefined,
    sent: string | undefined,
    response: Response,
  ): Promise<void> {
    if (uid === undefined || sent === undefined) return;
    const next = newWebAuthToken(response);
    if (next === undefined || next === sent) return;
    if (await this.tokens.rotate(uid, sent, next)) logs.webAuthTokenRotated(uid);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
