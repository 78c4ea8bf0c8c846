import { backOff } from 'exponential-backoff';

/**
 * How one request to a remote service is tried again, and how long it may take in all. The task
 * queues retry a failed task once more outside this, so the deadline keeps the retries nested
 * inside one task attempt short enough to leave that to the queue.
 */
export interface RetryPolicy {
  /** Retries after the first attempt, for retryable failures only. */
  maxRetries: number;
  /** The longest one attempt may take; never more than what is left of a caller's deadline. */
  attemptTimeoutMs: number;
  /** Full jitter: up to `baseMs` before the first retry, the ceiling doubling each time to `maxMs`. */
  backoff: { baseMs: number; maxMs: number };
  /**
   * From the request's start: no retry starts that could not end (its wait, its backoff and a full
   * attempt) before this has passed. The first attempt is always made, so a request runs past it
   * only when one attempt alone is allowed longer.
   */
  overallDeadlineMs: number;
}

export interface RetryHooks {
  retryable(error: unknown): boolean;
  /** The least wait a failure asks for before the next attempt (a server's retryAfter). */
  minWaitMs?(error: unknown): number;
  /** Before each retry's wait, with that wait. */
  onRetry?(error: unknown, attemptsSoFar: number, waitMs: number): void;
  /** The caller's own deadline (epoch ms): it shortens attempts too, the first included. */
  deadline?: number;
  /** Waits out `minWaitMs`; the backoff itself is the library's own timer. */
  sleep?(ms: number): Promise<void>;
  now?(): number;
}

/** A retryable failure that was not tried again: its attempts were used up, or time was. */
export class RetriesExhausted extends Error {
  constructor(
    /** The last attempt's failure; undefined when the deadline had passed before the first. */
    readonly lastError: unknown,
    readonly attempts: number,
    readonly reason: 'attempts' | 'deadline',
  ) {
    super(`gave up after ${attempts} attempts (${reason})`);
    this.name = 'RetriesExhausted';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The most the backoff may wait before retry number `retry` (1-based), as the library draws it. */
export function backoffCeilingMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.backoff.baseMs * 2 ** (retry - 1), policy.backoff.maxMs);
}

/**
 * Runs `attempt` under `policy`, handing each attempt its timeout. A failure that is not retryable
 * is thrown as it is; a retryable one that is not tried again is thrown as RetriesExhausted.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (timeoutMs: number) => Promise<T>,
  hooks: RetryHooks,
): Promise<T> {
  const now = hooks.now ?? Date.now;
  const sleep = hooks.sleep ?? defaultSleep;
  const attempts = Math.max(1, policy.maxRetries + 1);
  const callerDeadline = hooks.deadline ?? Infinity;
  const deadline = Math.min(now() + policy.overallDeadlineMs, callerDeadline);

  const timed = () => {
    const timeoutMs = Math.min(policy.attemptTimeoutMs, callerDeadline - now());
    if (timeoutMs <= 0) throw new RetriesExhausted(undefined, 0, 'deadline');
    return attempt(timeoutMs);
  };

  return backOff(timed, {
    numOfAttempts: attempts,
    startingDelay: policy.backoff.baseMs,
    maxDelay: policy.backoff.maxMs,
    jitter: 'full',
    // Thrown from here, the decision reaches the caller as is: the library rethrows it.
    retry: async (error: unknown, attemptsSoFar: number) => {
      if (error instanceof RetriesExhausted || !hooks.retryable(error)) return false;
      if (attemptsSoFar >= attempts) throw new RetriesExhausted(error, attemptsSoFar, 'attempts');
      const waitMs = hooks.minWaitMs?.(error) ?? 0;
      const next = waitMs + backoffCeilingMs(policy, attemptsSoFar) + policy.attemptTimeoutMs;
      if (now() + next > deadline) throw new RetriesExhausted(error, attemptsSoFar, 'deadline');
      hooks.onRetry?.(error, attemptsSoFar, waitMs);
      // The library adds its jittered delay after this, so the server's minimum is always honoured.
      if (waitMs > 0) await sleep(waitMs);
      return true;
    },
  });
}
