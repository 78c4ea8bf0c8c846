import { config } from '../../functions/src/config';
import { LegacyUnavailableError } from '../../functions/src/data/legacy/legacyErrors';
import { habitRecord } from './support/ckFixtures';
import { type CloudKitHarness, startCloudKitHarness } from './support/cloudKitHarness';

/** The CloudKit client's retries end by a deadline, as the same retryable error as ever. */
describe('CloudKitLegacyStore deadlines', () => {
  let h: CloudKitHarness;

  beforeEach(async () => {
    h = await startCloudKitHarness();
    await h.addUser('u1');
    await h.putRecords('u1', [habitRecord('h1')]);
  });
  afterEach(() => h.close());

  it('does not wait out a retryAfter longer than its overall deadline', async () => {
    const retryAfter = config.cloudKitRetry.overallDeadlineMs / 1000 + 1;
    await h.injectFault({ kind: 'throttle', retryAfter, count: 1 });
    const error = await h.store.readChanges('u1', null, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyUnavailableError);
    expect(error).toMatchObject({ code: 'THROTTLED', retryable: true });
    expect((error as Error).message).toContain('deadline');
    expect(h.waits).toEqual([]);
  });

  it("stops retrying at the caller's deadline", async () => {
    await h.injectFault({ kind: 'delay', delayMs: h.timeoutMs * 4, count: h.maxRetries + 1 });
    const started = Date.now();
    const deadline = started + h.timeoutMs + h.timeoutMs / 2;
    const error = await h.store.readChanges('u1', null, 10, { deadline }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyUnavailableError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    // One attempt at its full timeout; a second would not have ended in time.
    expect(Date.now() - started).toBeLessThan(deadline - started + 100);
    await h.clearFaults();
  });

  it("makes no request once the caller's deadline has passed", async () => {
    const error = await h.store
      .readChanges('u1', null, 10, { deadline: Date.now() - 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyUnavailableError);
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', retryable: true });
    // Nothing consumed: the next read goes through.
    await expect(h.store.readChanges('u1', null, 10)).resolves.toMatchObject({ kind: 'page' });
  });
});
