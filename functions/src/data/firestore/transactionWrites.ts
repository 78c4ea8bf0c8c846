import { BACKFILL_BATCH_SIZE_MAX } from '../../flags/flagDefaults';
import { config } from '../../config';

/** Firestore refuses a commit of more than 500 writes. */
export const COMMIT_WRITE_LIMIT = 500;

/** Every change the legacy store must hear of adds its outbox entry (dual-write). */
const OUTBOX = 1;
/** Every data write bumps users/{uid}/meta/sync. */
const VERSION = 1;
/** A new XP ledger entry and the progress total it moves. */
const XP = 2;

/**
 * The most documents each transaction in the codebase writes, whatever the user's history: the
 * unit test `transactionWrites.test.ts` keeps the largest under the limit. A change to what a
 * transaction writes changes its line here.
 */
export const transactionWrites = {
  /** The habit. */
  createHabit: 1 + OUTBOX + VERSION,
  /** The habit, and the recount request when its schedule or target changed. */
  updateHabit: 1 + OUTBOX + 1 + VERSION,
  /** Streak, habit, tombstone, purge request, XP taken back; outbox for streak, habit, XP. */
  deleteHabit: 4 + XP + 3 * OUTBOX + VERSION,
  /** Completion, its tombstone removed, streak, recount request, XP; outbox for three. */
  logCompletion: 4 + XP + 3 * OUTBOX + VERSION,
  /** Completion removed, its tombstone, streak, recount request, XP; outbox for three. */
  deleteCompletion: 4 + XP + 3 * OUTBOX + VERSION,
  /** The streak with its runs. */
  recountStreak: 1 + OUTBOX + VERSION,
  /** One page of a deleted habit's days, each with its outbox entry. */
  purgeCompletions: config.habitWork.purgePageSize * (1 + OUTBOX) + VERSION,
  /**
   * A backfill or catch-up page: at most three writes per legacy record (flagDefaults.ts), plus
   * the migration state, the progress total, the data version and a statistics counter shard.
   */
  migrationPage: BACKFILL_BATCH_SIZE_MAX * 3 + 4,
} as const;
