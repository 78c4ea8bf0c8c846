/**
 * Durations as histograms of counters: one outcome per series and bucket (`<series>.b<n>`), so a
 * p95 comes out of the same sharded hourly counters as every other figure (a fixed number of
 * fields, whatever the traffic). Bucket n's upper bound is growth^n ms, so a p95 read as its
 * bucket's bound is at most `growth - 1` high.
 */
export interface HistogramScale {
  /** Each bucket's bound over the one before. */
  growth: number;
  /** The last bucket, which also holds every longer duration. */
  buckets: number;
}

export interface LatencySummary {
  count: number;
  /** The upper bound of the bucket holding the 95th percentile; null without samples. */
  p95Ms: number | null;
}

export interface Histogram<S extends string> {
  readonly scale: HistogramScale;
  /** The bucket whose upper bound is the first at or above `ms`. */
  bucket(ms: number): number;
  upperBoundMs(bucket: number): number;
  /** The outcome one duration of `series` counts under. */
  outcome(series: S, ms: number): string;
  /** Every outcome the histogram may count: each series times each bucket. */
  readonly outcomes: readonly string[];
  /** One series' count and p95 from an event's counters (outcome -> count). */
  summary(counts: Readonly<Record<string, number>> | undefined, series: S): LatencySummary;
}

export function histogram<S extends string>(
  series: readonly S[],
  scale: HistogramScale,
): Histogram<S> {
  const { growth, buckets } = scale;
  const bucket = (ms: number) =>
    ms > 1 ? Math.min(buckets, Math.ceil(Math.log(ms) / Math.log(growth))) : 0;
  const upperBoundMs = (n: number) => Math.round(growth ** n);
  return {
    scale,
    bucket,
    upperBoundMs,
    outcome: (name, ms) => `${name}.b${bucket(ms)}`,
    outcomes: series.flatMap((name) =>
      Array.from({ length: buckets + 1 }, (_, n) => `${name}.b${n}`),
    ),
    summary(counts, name) {
      const perBucket: number[] = new Array<number>(buckets + 1).fill(0);
      let count = 0;
      for (const [outcome, n] of Object.entries(counts ?? {})) {
        const match = /^(\w+)\.b(\d+)$/.exec(outcome);
        if (!match || match[1] !== name) continue;
        const at = Number(match[2]);
        if (at > buckets) continue;
        perBucket[at] += n;
        count += n;
      }
      if (count === 0) return { count, p95Ms: null };
      // The nearest rank: the first bucket whose running total reaches it.
      const rank = Math.ceil(count * 0.95);
      let seen = 0;
      for (let at = 0; at <= buckets; at += 1) {
        seen += perBucket[at];
        if (seen >= rank) return { count, p95Ms: upperBoundMs(at) };
      }
      return { count, p95Ms: upperBoundMs(buckets) };
    },
  };
}

export const WRITE_MODES = ['dualWrite', 'firestoreOnly'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

/**
 * Write callables' latency by mode. Buckets grow by 5 %, so two modes' p95s can be compared
 * against a 10 % target; 1.05^200 ms is about 17 s, longer than a callable is allowed to take.
 */
export const writeLatency = histogram(WRITE_MODES, { growth: 1.05, buckets: 200 });

/**
 * Backfill runs' durations, from the first batch's start to completion (the dashboard's hourly
 * p95). Runs last from a second to hours, so 10 % buckets: 1.1^240 ms is about 100 days.
 */
export const runDuration = histogram(['run'] as const, { growth: 1.1, buckets: 240 });
