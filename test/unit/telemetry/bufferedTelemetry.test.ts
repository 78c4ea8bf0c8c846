import {
  BufferedTelemetry,
  type CounterWriter,
} from '../../../functions/src/telemetry/bufferedTelemetry';
import type { HeldCounts } from '../../../functions/src/telemetry/telemetryBuffer';
import { logs } from '../../../functions/src/logs';

/** Lets the promises already started run to their end (no timers involved). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

const settings = { shards: 100, flushIntervalMs: 30_000, maxHoursHeld: 3 };

/** A counter store in memory: what each flush wrote, and a switch to refuse writes. */
function store() {
  const writes: { counts: HeldCounts; shard: number }[] = [];
  const state = { refusing: false };
  const write: CounterWriter = async (counts, shard) => {
    if (state.refusing) throw new Error('UNAVAILABLE: firestore is down');
    writes.push({ counts: structuredClone(counts), shard });
  };
  /** Sums every write, as the report sums shards. */
  const totals = () => {
    const sum: Record<string, Record<string, Record<string, number>>> = {};
    for (const { counts } of writes) {
      for (const [hour, events] of counts) {
        for (const [event, outcomes] of Object.entries(events)) {
          for (const [outcome, n] of Object.entries(outcomes)) {
            sum[hour] ??= {};
            sum[hour][event] ??= {};
            sum[hour][event][outcome] = (sum[hour][event][outcome] ?? 0) + n;
          }
        }
      }
    }
    return sum;
  };
  return { write, writes, state, totals };
}

describe('BufferedTelemetry', () => {
  let now: number;
  const clock = () => new Date(now);

  beforeEach(() => {
    now = Date.parse('2030-01-02T03:04:05Z');
    jest.spyOn(logs, 'telemetry').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('sums events in memory and writes them in one write per flush', async () => {
    const counters = store();
    const telemetry = new BufferedTelemetry(counters.write, settings, clock, () => 0.427);

    for (let i = 0; i < 1_000; i += 1) {
      telemetry.record('dualWritePrimary', i % 10 === 0 ? 'failure' : 'success', {
        uid: `u${i}`,
        latencyMs: 2.4,
      });
    }
    telemetry.record('migrationRecords', 'migrated', { uid: 'u', count: 160 });
    telemetry.record('migrationRecords', 'migrated', { uid: 'u', count: 5 });
    expect(counters.writes).toHaveLength(0);
    await telemetry.flush();

    expect(counters.writes).toHaveLength(1);
    expect(counters.writes[0].shard).toBe(42);
    expect(counters.totals()).toEqual({
      '2030-01-02T03': {
        dualWritePrimary: { success: 900, failure: 100, latencyMsTotal: 2_000 },
        migrationRecords: { migrated: 165 },
      },
    });
    // Nothing held: a second flush writes nothing.
    await telemetry.flush();
    expect(counters.writes).toHaveLength(1);
  });

  it('still logs each event as its structured line', () => {
    const telemetry = new BufferedTelemetry(store().write, settings, clock);
    telemetry.record('catchUp', 'applied', { uid: 'u1', count: 3 });
    expect(logs.telemetry).toHaveBeenCalledWith('catchUp', 'applied', { uid: 'u1', count: 3 });
  });

  it('never fails the caller when a write fails, and writes the kept counts with the next flush', async () => {
    const counters = store();
    const failed = jest.spyOn(logs, 'telemetryFlushFailed').mockImplementation(() => undefined);
    const telemetry = new BufferedTelemetry(counters.write, settings, clock);

    counters.state.refusing = true;
    telemetry.record('snapshotCache', 'hit', { uid: 'u' });
    telemetry.record('snapshotCache', 'miss', { uid: 'u' });
    await expect(telemetry.flush()).resolves.toBeUndefined();
    expect(failed).toHaveBeenCalledTimes(1);
    expect(counters.writes).toHaveLength(0);

    telemetry.record('snapshotCache', 'hit', { uid: 'u' });
    counters.state.refusing = false;
    await telemetry.flush();

    expect(counters.writes).toHaveLength(1);
    expect(counters.totals()).toEqual({
      '2030-01-02T03': { snapshotCache: { hit: 2, miss: 1 } },
    });
  });

  it('never throws from record, even when logging itself fails', () => {
    const failed = jest.spyOn(logs, 'telemetryFailed').mockImplementation(() => undefined);
    jest.spyOn(logs, 'telemetry').mockImplementation(() => {
      throw new Error('stdout closed');
    });
    const telemetry = new BufferedTelemetry(store().write, settings, clock);
    expect(() => telemetry.record('fallbackRead', 'served', { uid: 'u' })).not.toThrow();
    expect(failed).toHaveBeenCalledWith('fallbackRead', expect.any(Error));
  });

  it('keeps at most maxHoursHeld hours while writes fail, dropping the oldest', async () => {
    const counters = store();
    jest.spyOn(logs, 'telemetryFlushFailed').mockImplementation(() => undefined);
    const dropped = jest.spyOn(logs, 'telemetryDropped').mockImplementation(() => undefined);
    const telemetry = new BufferedTelemetry(counters.write, settings, clock);
    counters.state.refusing = true;

    for (let hour = 0; hour < 5; hour += 1) {
      telemetry.record('dualWritePrimary', 'success', { uid: 'u', count: hour + 1 });
      await telemetry.flush();
      now += 3_600_000;
    }
    expect(dropped.mock.calls).toEqual([
      ['2030-01-02T03', 1],
      ['2030-01-02T04', 2],
    ]);

    counters.state.refusing = false;
    await telemetry.flush();
    expect(Object.keys(counters.totals())).toEqual([
      '2030-01-02T05',
      '2030-01-02T06',
      '2030-01-02T07',
    ]);
  });

  it('flushes by itself once the oldest count is flushIntervalMs old, on the next record', async () => {
    const counters = store();
    const telemetry = new BufferedTelemetry(counters.write, settings, clock);

    telemetry.record('catchUp', 'caught_up', { uid: 'u' });
    now += settings.flushIntervalMs - 1;
    telemetry.record('catchUp', 'caught_up', { uid: 'u' });
    await settled();
    expect(counters.writes).toHaveLength(0);

    now += 1;
    telemetry.record('catchUp', 'caught_up', { uid: 'u' });
    await settled();
    expect(counters.writes).toHaveLength(1);
    expect(counters.totals()['2030-01-02T03'].catchUp).toEqual({ caught_up: 3 });
  });

  it('flushes by itself on a timer when no further event comes', async () => {
    jest.useFakeTimers();
    try {
      const counters = store();
      const telemetry = new BufferedTelemetry(counters.write, settings, clock);
      telemetry.record('migration', 'queued', { uid: 'u' });

      await jest.advanceTimersByTimeAsync(settings.flushIntervalMs - 1);
      expect(counters.writes).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(counters.writes).toHaveLength(1);
      // Nothing held, nothing armed: no write without an event.
      await jest.advanceTimersByTimeAsync(10 * settings.flushIntervalMs);
      expect(counters.writes).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps one write in flight per instance: concurrent flushes queue behind it', async () => {
    let inFlight = 0;
    let most = 0;
    const writes: HeldCounts[] = [];
    const telemetry = new BufferedTelemetry(
      async (counts) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        writes.push(counts);
        inFlight -= 1;
      },
      settings,
      clock,
    );
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 5; i += 1) {
      telemetry.record('backfillBatch', 'success', { uid: 'u' });
      flushes.push(telemetry.flush());
    }
    await Promise.all(flushes);
    expect(most).toBe(1);
    const total = writes.reduce(
      (n, c) => n + (c.get('2030-01-02T03')?.backfillBatch.success ?? 0),
      0,
    );
    expect(total).toBe(5);
  });
});
