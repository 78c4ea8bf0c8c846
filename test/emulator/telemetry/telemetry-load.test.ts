import { config } from '../../../functions/src/config';
import { logs } from '../../../functions/src/logs';
import {
  BufferedTelemetry,
  type CounterWriter,
} from '../../../functions/src/telemetry/bufferedTelemetry';
import { firestoreCounterWriter } from '../../../functions/src/telemetry/firestoreTelemetry';
import { telemetryReport } from '../../../functions/src/telemetry/telemetryReport';
import { adminDb } from '../support/admin';

const HOUR_MS = 3_600_000;

/** An hour of its own, far from now and from other runs, so no other counts share it. */
function isolatedHour(): number {
  const hours = Math.floor(Math.random() * 200_000);
  return Date.parse('2040-01-01T00:00:00Z') + hours * HOUR_MS;
}

/** Firestore's writer, with its writes and refusals counted. */
function countedWriter(refuseFirst = 0) {
  const tally = { writes: 0, errors: [] as unknown[], refused: 0 };
  const firestore = firestoreCounterWriter(adminDb());
  const write: CounterWriter = async (counts, shard, at) => {
    if (tally.refused < refuseFirst) {
      tally.refused += 1;
      throw new Error('UNAVAILABLE: injected');
    }
    try {
      await firestore(counts, shard, at);
      tally.writes += 1;
    } catch (error) {
      tally.errors.push(error);
      throw error;
    }
  };
  return { write, tally };
}

describe('telemetry counters under load', () => {
  beforeEach(() => {
    // A JSON line per event would dominate the run; the lines are not what is tested here.
    jest.spyOn(logs, 'telemetry').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('count 1,000 events a second from 8 instances exactly, without a contention error', async () => {
    const base = isolatedHour();
    const started = Date.now();
    const clock = () => new Date(base + (Date.now() - started));
    const { write, tally } = countedWriter();
    // Each instance flushes on its own every 250 ms: far more often than production, so the
    // shards take the writes of hundreds of instances.
    const settings = { ...config.telemetry, flushIntervalMs: 250 };
    const instances = Array.from(
      { length: 8 },
      () => new BufferedTelemetry(write, settings, clock),
    );

    const seconds = 5;
    const perTick = 100; // every 100 ms: 1,000 events a second
    const expected = { success: 0, failure: 0, latency: 0 };
    for (let tick = 0; tick < seconds * 10; tick += 1) {
      const due = started + (tick + 1) * 100;
      for (let i = 0; i < perTick; i += 1) {
        const failure = (tick * perTick + i) % 7 === 0;
        instances[i % instances.length].record(
          'dualWritePrimary',
          failure ? 'failure' : 'success',
          { uid: `u${i}`, latencyMs: 3 },
        );
        expected[failure ? 'failure' : 'success'] += 1;
        expected.latency += 3;
      }
      // Pacing the load, not waiting for a result.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    }
    await Promise.all(instances.map((telemetry) => telemetry.flush()));

    const report = await telemetryReport(adminDb(), new Date(base), clock());
    expect(expected.success + expected.failure).toBe(5_000);
    expect(report.dualWrite.primary).toMatchObject({
      success: expected.success,
      failure: expected.failure,
    });
    expect(report.counts.dualWritePrimary.latencyMsTotal).toBe(expected.latency);
    expect(tally.errors).toEqual([]);
    // One write per instance per interval at most (plus the final flush), never one per event.
    expect(tally.writes).toBeGreaterThan(instances.length);
    expect(tally.writes).toBeLessThanOrEqual(instances.length * (seconds * 4 + 2));
  }, 60_000);

  it('writes the counts of a refused flush with a later one, and the caller never sees it', async () => {
    const base = isolatedHour();
    const clock = () => new Date(base);
    const { write, tally } = countedWriter(1);
    const failed = jest.spyOn(logs, 'telemetryFlushFailed').mockImplementation(() => undefined);
    const telemetry = new BufferedTelemetry(write, config.telemetry, clock);

    for (let i = 0; i < 30; i += 1) telemetry.record('snapshotCache', 'hit', { uid: 'u' });
    await expect(telemetry.flush()).resolves.toBeUndefined();
    expect(failed).toHaveBeenCalledTimes(1);
    let report = await telemetryReport(adminDb(), new Date(base), clock());
    expect(report.counts.snapshotCache).toBeUndefined();

    for (let i = 0; i < 12; i += 1) telemetry.record('snapshotCache', 'miss', { uid: 'u' });
    await telemetry.flush();

    report = await telemetryReport(adminDb(), new Date(base), clock());
    expect(report.counts.snapshotCache).toEqual({ hit: 30, miss: 12 });
    expect(tally).toMatchObject({ writes: 1, refused: 1, errors: [] });
  });
});
