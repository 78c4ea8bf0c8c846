import { createHash } from 'node:crypto';

/** 2^48: six hash bytes stay exact in a double and give far finer steps than any percentage. */
const BUCKET_SPACE = 2 ** 48;

/**
 * Where a user falls in [0, 100) for `seed`. Hashing instead of storing a draw keeps the answer the
 * same on every instance and every run without any state, and a fresh seed reshuffles users for a
 * new rollout so the same early users are not always first.
 */
export function rolloutBucket(uid: string, seed = 'backfill'): number {
  const digest = createHash('sha256').update(`${seed}.${uid}`).digest();
  return (digest.readUIntBE(0, 6) / BUCKET_SPACE) * 100;
}

/**
 * Whether `uid` is inside a `percentage` (0-100) rollout. Comparing a fixed bucket against the
 * percentage makes rollouts monotonic: raising 10 to 50 only adds users, nobody drops out.
 */
export function inRollout(uid: string, percentage: number, seed = 'backfill'): boolean {
  return rolloutBucket(uid, seed) < percentage;
}
