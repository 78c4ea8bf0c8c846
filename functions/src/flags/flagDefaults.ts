import { z } from 'zod';
import { config } from '../config';

/** The flags in force for one request, typed: the Remote Config parameters of docs/api.md. */
export type Flags = {
  dualWriteEnabled: boolean;
  backfillEnabled: boolean;
  legacyReadFallbackEnabled: boolean;
  /** 0-100; see domain/rollout for who is in. */
  backfillRolloutPercentage: number;
  forceMigrationComplete: boolean;
  backfillBatchSize: number;
  legacyTimeoutMs: number;
  legacyMaxRetries: number;
  /** Follow migrated users' CloudKit change feeds (catch-up) until the old app can no longer write. */
  legacyCatchUpEnabled: boolean;
  /** The schedule catches up a following user whose last catch-up is older than this. */
  legacyCatchUpIntervalMinutes: number;
  debugLogging: boolean;
  /** 0-100: the share of migrated users' read callables compared with CloudKit in the background. */
  shadowComparePercentage: number;
  /** Send a record found different in the two stores back through delivery and catch-up. */
  consistencyRepairEnabled: boolean;
};
export type FlagName = keyof Flags;

/** The committed local defaults: what every flag is when Remote Config says nothing usable. */
export const flagDefaults: Flags = {
  dualWriteEnabled: true,
  backfillEnabled: true,
  legacyReadFallbackEnabled: true,
  backfillRolloutPercentage: 0,
  forceMigrationComplete: false,
  backfillBatchSize: 160,
  legacyTimeoutMs: config.legacyTimeoutMs,
  legacyMaxRetries: config.legacyMaxRetries,
  legacyCatchUpEnabled: true,
  legacyCatchUpIntervalMinutes: 60,
  debugLogging: false,
  shadowComparePercentage: 5,
  consistencyRepairEnabled: true,
};

export const flagNames = Object.keys(flagDefaults) as FlagName[];

// Remote Config's own getBoolean reads anything unknown as false; spelling out both sides lets a
// typo fall back to the default instead of silently switching a flag off.
const booleanString = z.stringbool({
  truthy: ['true', '1', 't', 'yes', 'y', 'on'],
  falsy: ['false', '0', 'f', 'no', 'n', 'off'],
});

// Number('') is 0 and Number('0x10') is 16: only plain decimals count as numbers here.
const decimalString = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?$/, 'not a decimal number')
  .transform(Number);

const integerString = (min: number, max: number) =>
  decimalString.pipe(z.number().int().min(min).max(max));

export const BACKFILL_BATCH_SIZE_MIN = 1;
/**
 * One page is one commit, and a commit takes at most 500 writes: a legacy record costs at most
 * three (a completion, its XP correction and that correction's outbox entry; a deletion and its
 * tombstone; a winning copy and the tombstone it beats), plus the state, progress and data version.
 */
export const BACKFILL_BATCH_SIZE_MAX = 165;

/** Remote Config serves every value as a string; each schema turns one into its typed value or fails. */
export const flagSchemas: { readonly [K in FlagName]: z.ZodType<Flags[K], string> } = {
  dualWriteEnabled: booleanString,
  backfillEnabled: booleanString,
  legacyReadFallbackEnabled: booleanString,
  backfillRolloutPercentage: decimalString.pipe(z.number().min(0).max(100)),
  forceMigrationComplete: booleanString,
  // Clamped rather than rejected: an operator asking for 1000 wants big batches, and the cap keeps
  // one page inside one commit (docs/architecture.md, invariant 5).
  backfillBatchSize: decimalString
    .pipe(z.number().int())
    .transform((n) => Math.min(BACKFILL_BATCH_SIZE_MAX, Math.max(BACKFILL_BATCH_SIZE_MIN, n))),
  // Bounded by the longest a function may run (540 s): a longer wait could never complete.
  legacyTimeoutMs: integerString(1, 540_000),
  legacyMaxRetries: integerString(0, 10),
  legacyCatchUpEnabled: booleanString,
  // At least the schedule's own period; at most a week: a user's web auth token (two weeks at
  // most) would expire between two catch-ups of someone who never opens the app.
  legacyCatchUpIntervalMinutes: integerString(5, 10_080),
  debugLogging: booleanString,
  shadowComparePercentage: decimalString.pipe(z.number().min(0).max(100)),
  consistencyRepairEnabled: booleanString,
};

/** The typed value of a Remote Config string, or undefined when it does not parse for `name`. */
export function parseFlagValue<K extends FlagName>(name: K, raw: string): Flags[K] | undefined {
  const result = flagSchemas[name].safeParse(raw);
  return result.success ? result.data : undefined;
}
