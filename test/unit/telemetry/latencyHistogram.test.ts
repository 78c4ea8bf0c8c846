import {
  histogram,
  runDuration,
  writeLatency,
} from '../../../functions/src/telemetry/latencyHistogram';

describe('histogram', () => {
  const h = histogram(['a', 'b'] as const, { growth: 2, buckets: 10 });

  it('puts a duration in the first bucket whose bound reaches it', () => {
    expect([0, 1, 2, 3, 4, 5, 1000].map((ms) => h.bucket(ms))).toEqual([0, 0, 1, 2, 2, 3, 10]);
    expect(h.bucket(1e9)).toBe(10);
    expect(h.upperBoundMs(3)).toBe(8);
    expect(h.outcome('b', 5)).toBe('b.b3');
  });

  it('lists every series times every bucket', () => {
    expect(h.outcomes).toHaveLength(22);
    expect(h.outcomes).toContain('a.b0');
    expect(h.outcomes).toContain('b.b10');
  });

  it('reads a p95 as the bound of the bucket holding the nearest rank, per series', () => {
    const counts = { 'a.b1': 19, 'a.b4': 1, 'b.b7': 3, latencyMsTotal: 99, 'a.b99': 5 };
    expect(h.summary(counts, 'a')).toEqual({ count: 20, p95Ms: 2 });
    expect(h.summary({ 'a.b1': 18, 'a.b4': 2 }, 'a')).toEqual({ count: 20, p95Ms: 16 });
    expect(h.summary(counts, 'b')).toEqual({ count: 3, p95Ms: 128 });
    expect(h.summary(undefined, 'a')).toEqual({ count: 0, p95Ms: null });
  });

  it('keeps the write latency buckets of the stored format (5 %, 200 buckets)', () => {
    expect(writeLatency.outcome('dualWrite', 100)).toBe('dualWrite.b95');
    expect(writeLatency.outcomes).toHaveLength(2 * 201);
  });

  it('measures runs of minutes to days within 10 %', () => {
    for (const ms of [1_500, 90_000, 3_600_000, 86_400_000]) {
      const bound = runDuration.upperBoundMs(runDuration.bucket(ms));
      expect(bound).toBeGreaterThanOrEqual(ms);
      expect(bound).toBeLessThanOrEqual(ms * 1.1 + 1);
    }
    expect(runDuration.outcome('run', 60_000)).toMatch(/^run\.b\d+$/);
  });
});
