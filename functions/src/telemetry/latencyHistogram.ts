/**
 * Write latency as a histogram of counters: one outcome per bucket, so p95 comes out of the same
 * sharded hourly counters as every other figure (a fixed number of fields, whatever the traffic).
 * Buckets grow by 5 %, so a p95 is known to within 5 % and two modes' p95s can be compared against
 * a 10 % target.
 */
const GROWTH = 1.05;
/** 1.05^200 ms is about 17 s: longer than a callable is allowed to take. */
const BUCKETS = 200;

export const WRITE_MODES = ['dualWrite', 'firestoreOnly'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

/** The bucket whose upper bound is the first at or above `ms`. */
export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(BUCKETS, Math.ceil(Math.log(ms) / Math.log(GROWTH)));
}

export const bucketUpperBoundMs = (bucket: number): number => Math.round(GROWTH ** bucket);

export const latencyOutcome = (mode: WriteMode, ms: number): string =>
  `${mode}.b${latencyBucket(ms)}`;

/** Every outcome the histogram may count: each mode times each bucket. */
export const latencyOutcomes: readonly string[] = WRITE_MODES.flatMap((mode) =>
  Array.from({ length: BUCKETS + 1 }, (_, bucket) => `${mode}.b${bucket}`),
);

export interface LatencySummary {
  count: number;
  /** The upper bound of the bucket holding the 95th percentile; null without samples. */
  p95Ms: number | null;
}

/** One mode's count and p95 from an event's counters (outcome -> count). */
export function latencySummary(
  counts: Readonly<Record<string, number>> | undefined,
  mode: WriteMode,
): LatencySummary {
  const perBucket: number[] = new Array<number>(BUCKETS + 1).fill(0);
  let count = 0;
  for (const [outcome, n] of Object.entries(counts ?? {})) {
    const match = /^(\w+)\.b(\d+)$/.exec(outcome);
    if (!match || match[1] !== mode) continue;
    const bucket = Number(match[2]);
    if (bucket > BUCKETS) continue;
    perBucket[bucket] += n;
    count += n;
  }
  if (count === 0) return { count, p95Ms: null };
  const rank = Math.ceil(count * 0.95);
  let seen = 0;
  for (let bucket = 0; bucket <= BUCKETS; bucket += 1) {
    seen += perBucket[bucket];
    if (seen >= rank) return { count, p95Ms: bucketUpperBoundMs(bucket) };
  }
  return { count, p95Ms: bucketUpperBoundMs(BUCKETS) };
}
