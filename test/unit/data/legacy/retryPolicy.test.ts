import {
  RetriesExhausted,
  type RetryPolicy,
  backoffCeilingMs,
  withRetries,
} from '../../../../functions/src/data/legacy/retryPolicy';

class Flaky extends Error {
  constructor(readonly retryAfterMs = 0) {
    super('flaky');
  }
}
class Broken extends Error {}

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxRetries: 3,
  attemptTimeoutMs: 1_000,
  backoff: { baseMs: 100, maxMs: 300 },
  overallDeadlineMs: 60_000,
  ...overrides,
});

const hooks = {
  retryable: (error: unknown) => error instanceof Flaky,
  minWaitMs: (error: unknown) => (error instanceof Flaky ? error.retryAfterMs : 0),
};

/** Each attempt's start (ms since the call) and the timeout it was given. */
interface Attempt {
  at: number;
  timeoutMs: number;
}

/**
 * Runs withRetries on fake timers: every attempt fails with `fail(n)` after `takesMs` (its whole
 * timeout when undefined), unless `fail` returns undefined, which succeeds.
 */
async function run(
  given: RetryPolicy,
  fail: (attempt: number) => Error | undefined,
  options: { takesMs?: number; deadlineIn?: number } = {},
) {
  const start = Date.now();
  const attempts: Attempt[] = [];
  const outcome = withRetries(
    given,
    async (timeoutMs) => {
      attempts.push({ at: Date.now() - start, timeoutMs });
      await new Promise((resolve) => setTimeout(resolve, options.takesMs ?? timeoutMs));
      const error = fail(attempts.length);
      if (error) throw error;
      return 'ok';
    },
    {
      ...hooks,
      ...(options.deadlineIn === undefined ? {} : { deadline: start + options.deadlineIn }),
    },
  ).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  await jest.runAllTimersAsync();
  return { ...(await outcome), attempts, elapsed: Date.now() - start };
}

describe('withRetries', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    // Full jitter at its ceiling: every backoff waits the most it may.
    jest.spyOn(Math, 'random').mockReturnValue(1);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('retries a retryable failure up to maxRetries, then gives up with the last error', async () => {
    const failures = [new Flaky(), new Flaky(), new Flaky(), new Flaky()];
    const result = await run(policy(), (n) => failures[n - 1], { takesMs: 0 });
    expect(result.attempts).toHaveLength(4);
    expect(result.error).toBeInstanceOf(RetriesExhausted);
    expect(result.error).toMatchObject({ attempts: 4, reason: 'attempts', lastError: failures[3] });
  });

  it('answers with the first attempt that succeeds', async () => {
    const result = await run(policy(), (n) => (n < 3 ? new Flaky() : undefined), { takesMs: 0 });
    expect(result).toMatchObject({ value: 'ok', error: undefined });
    expect(result.attempts).toHaveLength(3);
  });

  it('makes one attempt when no retries are allowed', async () => {
    const result = await run(policy({ maxRetries: 0 }), () => new Flaky(), { takesMs: 0 });
    expect(result.attempts).toHaveLength(1);
    expect(result.error).toMatchObject({ attempts: 1, reason: 'attempts' });
  });

  it('does not retry an error that is not retryable, and throws it as it is', async () => {
    const broken = new Broken('refused');
    const result = await run(policy(), (n) => (n === 1 ? new Flaky() : broken), { takesMs: 0 });
    expect(result.attempts).toHaveLength(2);
    expect(result.error).toBe(broken);
  });

  it('backs off exponentially with full jitter, up to the ceiling', async () => {
    const result = await run(policy(), () => new Flaky(), { takesMs: 0 });
    // Ceilings 100, 200, then 400 capped at 300; Math.random() = 1 waits each out in full.
    expect(result.attempts.map((a) => a.at)).toEqual([0, 100, 300, 600]);
    expect([1, 2, 3, 4].map((n) => backoffCeilingMs(policy(), n))).toEqual([100, 200, 300, 300]);
  });

  it('never waits longer than the ceiling, and may retry at once', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const result = await run(policy(), () => new Flaky(), { takesMs: 0 });
    expect(result.attempts.map((a) => a.at)).toEqual([0, 0, 0, 0]);
  });

  it('waits at least what the failure asks for, before the backoff', async () => {
    const result = await run(
      policy({ maxRetries: 1 }),
      (n) => (n === 1 ? new Flaky(5_000) : undefined),
      {
        takesMs: 0,
      },
    );
    expect(result.value).toBe('ok');
    expect(result.attempts.map((a) => a.at)).toEqual([0, 5_100]);
  });

  it('starts no retry that could not end before the overall deadline', async () => {
    // 0-1000 fails; 1000 + 100 + 1000 fits 2500: retried; 2100 + 200 + 1000 would not: stops.
    const given = policy({ maxRetries: 10, overallDeadlineMs: 2_500 });
    const result = await run(given, () => new Flaky());
    expect(result.attempts.map((a) => a.at)).toEqual([0, 1_100]);
    expect(result.error).toMatchObject({ attempts: 2, reason: 'deadline' });
    expect(result.elapsed).toBeLessThanOrEqual(2_500);
  });

  it('counts a wait the failure asks for against the deadline', async () => {
    const given = policy({ overallDeadlineMs: 10_000 });
    const result = await run(given, () => new Flaky(30_000), { takesMs: 0 });
    expect(result.attempts).toHaveLength(1);
    expect(result.error).toMatchObject({ attempts: 1, reason: 'deadline' });
    expect(result.elapsed).toBe(0);
  });

  it('keeps within the deadline whatever the attempts and waits', async () => {
    for (const overallDeadlineMs of [1_000, 2_000, 3_333, 5_000, 12_345]) {
      const given = policy({ maxRetries: 10, overallDeadlineMs });
      const result = await run(given, () => new Flaky(250));
      expect(result.error).toBeInstanceOf(RetriesExhausted);
      expect(result.elapsed).toBeLessThanOrEqual(Math.max(overallDeadlineMs, 1_000));
    }
  });

  it('always makes the first attempt in full, even with a deadline shorter than it', async () => {
    const result = await run(policy({ overallDeadlineMs: 500 }), () => new Flaky());
    expect(result.attempts).toEqual([{ at: 0, timeoutMs: 1_000 }]);
    expect(result.error).toMatchObject({ attempts: 1, reason: 'deadline' });
  });

  it("shortens attempts to what is left of the caller's deadline", async () => {
    const result = await run(policy(), () => new Flaky(), { deadlineIn: 400 });
    expect(result.attempts).toEqual([{ at: 0, timeoutMs: 400 }]);
    expect(result.error).toMatchObject({ attempts: 1, reason: 'deadline' });
    expect(result.elapsed).toBe(400);
  });

  it("retries within the caller's deadline when the policy's is later", async () => {
    const result = await run(policy(), () => new Flaky(), { deadlineIn: 2_500 });
    expect(result.attempts.map((a) => a.at)).toEqual([0, 1_100]);
    expect(result.error).toMatchObject({ attempts: 2, reason: 'deadline' });
  });

  it("makes no attempt once the caller's deadline has passed", async () => {
    const result = await run(policy(), () => new Flaky(), { deadlineIn: 0 });
    expect(result.attempts).toEqual([]);
    expect(result.error).toMatchObject({ attempts: 0, reason: 'deadline', lastError: undefined });
  });
});
