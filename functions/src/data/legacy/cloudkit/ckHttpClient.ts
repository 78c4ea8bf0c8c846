import { config as settings } from '../../../config';
import { LegacyStoreError, LegacyUnavailableError } from '../legacyErrors';
import type { AwaitingLink, LegacyCallOptions } from '../legacyStore';
import { RetriesExhausted, type RetryPolicy, withRetries } from '../retryPolicy';
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
  /** First backoff ceiling; each retry doubles it, with full jitter (default: config.cloudKitRetry). */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  /** One call with all its attempts and waits (default: config.cloudKitRetry). */
  overallDeadlineMs?: number;
}

type Method = 'GET' | 'POST';
/** A refused token is forgotten by the attempt that sent it, so it can compare what it sent. */
type Attempt<T> = { body: T } | typeof AUTHENTICATION_REQUIRED;

/**
 * JSON over HTTP to CloudKit Web Services: authentication (server key or user token), a timeout
 * per attempt, and retries with backoff for what may succeed later, all inside one deadline per
 * call (retryPolicy.ts). Knows nothing of records.
 */
export class CkHttpClient {
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;
  private readonly now: () => Date;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly config: CloudKitConfig,
    private readonly tokens: WebAuthTokenStore,
    options: CkClientOptions = {},
  ) {
    this.sleep = options.sleep;
    this.now = options.now ?? (() => new Date());
    const defaults = settings.cloudKitRetry;
    this.policy = {
      maxRetries: config.maxRetries,
      attemptTimeoutMs: config.timeoutMs,
      backoff: {
        baseMs: options.retryBaseDelayMs ?? defaults.backoff.baseMs,
        maxMs: options.maxRetryDelayMs ?? defaults.backoff.maxMs,
      },
      overallDeadlineMs: options.overallDeadlineMs ?? defaults.overallDeadlineMs,
    };
  }

  /** Public database, signed with the server key (or, without one, the API token alone). */
  async publicCall<T>(op: string, body?: unknown, method: Method = 'POST'): Promise<T> {
    const result = await this.withRetries('public', op, undefined, (timeoutMs) =>
      this.attempt<T>('public', op, method, body, undefined, timeoutMs),
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
    options: LegacyCallOptions = {},
  ): Promise<T | AwaitingLink> {
    // No token at all: nothing to send, and nothing to invalidate.
    let justRead = await this.tokens.get(uid);
    if (!justRead) return { kind: 'awaiting_link', uid };
    const result = await this.withRetries('private', op, options.deadline, (timeoutMs) => {
      // The first attempt sends the token just read; a retry reads it again (attempt).
      const token = justRead;
      justRead = undefined;
      return this.attempt<T>('private', op, method, body, uid, timeoutMs, token);
    });
    if (result === AUTHENTICATION_REQUIRED) {
      logs.awaitingLink(uid, op);
      return { kind: 'awaiting_link', uid };
    }
    return result.body;
  }

  private async withRetries<T>(
    database: CkDatabase,
    op: string,
    deadline: number | undefined,
    attempt: (timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    try {
      return await withRetries(this.policy, attempt, {
        retryable: (error) => error instanceof LegacyStoreError && error.retryable,
        minWaitMs: (error) => ((error as LegacyStoreError).retryAfterSeconds ?? 0) * 1000,
        onRetry: (error, attemptsSoFar, waitMs) =>
          logs.retrying(database, op, (error as LegacyStoreError).code, attemptsSoFar, waitMs),
        deadline,
        sleep: this.sleep,
      });
    } catch (error) {
      if (error instanceof RetriesExhausted) throw this.gaveUp(database, op, error);
      throw error;
    }
  }

  /** Still unavailable: the same retryable error as each attempt's, so the task queue retries. */
  private gaveUp(database: CkDatabase, op: string, exhausted: RetriesExhausted): unknown {
    const last = exhausted.lastError;
    if (last === undefined) {
      return new LegacyUnavailableError(
        `CloudKit ${database}/${op}: no time left before the request's deadline`,
        'DEADLINE_EXCEEDED',
      );
    }
    if (!(last instanceof LegacyUnavailableError)) return last;
    const why =
      exhausted.reason === 'deadline'
        ? `gave up after ${exhausted.attempts} attempts: the next could not end before the deadline`
        : `gave up after ${exhausted.attempts} attempts`;
    // A single attempt allowed: its own error, as it always was.
    if (exhausted.reason === 'attempts' && exhausted.attempts <= 1) return last;
    return new LegacyUnavailableError(
      `${last.message} (${why})`,
      last.code,
      last.retryAfterSeconds,
    );
  }

  private async attempt<T>(
    database: CkDatabase,
    op: string,
    method: Method,
    body: unknown,
    uid: string | undefined,
    timeoutMs: number,
    tokenJustRead?: string,
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
      webAuthToken = tokenJustRead ?? (await this.tokens.get(uid as string));
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
        signal: AbortSignal.timeout(timeoutMs),
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
