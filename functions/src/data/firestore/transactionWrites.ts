import { BACKFILL_BATCH_SIZE_MAX } from '../../flags/flagDefaults';
import { config } from '../../config';
import {
  APPEND_XP_WRITES,
  CONSISTENCY_CHECK_WRITES,
  DATA_VERSION_WRITES as VERSION,
  HABIT_WORK_WRITES as WORK_REQUEST,
  OUTBOX_ENTRY_WRITES as OUTBOX,
  PROGRESS_WRITES,
  TOMBSTONE_WRITES as TOMBSTONE,
} from './userWrites';

/** Firestore refuses a commit of more than 500 writes. */
export const COMMIT_WRITE_LIMIT = 500;

/** An entity document the transaction writes or deletes (a habit, a completion, a streak). */
const DOCUMENT = 1;
/** A new XP ledger entry and the progress total it moves. */
const XP = APPEND_XP_WRITES;
/** A page's migration state (meta/migration) and its statistics counter shard. */
const MIGRATION_STATE = 1;
const STATS_SHARD = 1;
/** ops/consistency (the totals) and one open inconsistency, ops/consistency/open/{uid}~{name}. */
const CONSISTENCY_TOTALS = 1;
const OPEN_INCONSISTENCY = 1;

/**
 * The most documents each transaction in the codebase writes, whatever the user's history: the
 * unit test `transactionWrites.test.ts` keeps the largest under the limit. Each line adds up the
 * per-user write primitives of userWrites.ts it uses, so a change to what a transaction writes
 * (or to what a primitive writes) changes its line here.
 */
export const transactionWrites = {
  /** The habit. */
  createHabit: DOCUMENT + OUTBOX + VERSION,
  /** The habit, and the recount request when its schedule or target changed. */
  updateHabit: DOCUMENT + OUTBOX + WORK_REQUEST + VERSION,
  /** Streak, habit, tombstone, purge request, XP taken back; outbox for streak, habit, XP. */
  deleteHabit: 2 * DOCUMENT + TOMBSTONE + WORK_REQUEST + XP + 3 * OUTBOX + VERSION,
  /** Completion, its tombstone removed, streak, recount request, XP; outbox for three. */
  logCompletion: 2 * DOCUMENT + TOMBSTONE + WORK_REQUEST + XP + 3 * OUTBOX + VERSION,
  /** Completion removed, its tombstone, streak, recount request, XP; outbox for three. */
  deleteCompletion: 2 * DOCUMENT + TOMBSTONE + WORK_REQUEST + XP + 3 * OUTBOX + VERSION,
  /** The streak with its runs. */
  recountStreak: DOCUMENT + OUTBOX + VERSION,
  /** One page of a deleted habit's days, each with its tombstone and outbox entry. */
  purgeCompletions: config.habitWork.purgePageSize * (DOCUMENT + TOMBSTONE + OUTBOX) + VERSION,
  /**
   * A backfill or catch-up page: at most three writes per legacy record (flagDefaults.ts), plus
   * the migration state, the progress total, the data version and a statistics counter shard.
   */
  migrationPage:
    BACKFILL_BATCH_SIZE_MAX * 3 + MIGRATION_STATE + PROGRESS_WRITES + VERSION + STATS_SHARD,
  /** Outbox delivery's take-back of a day both apps awarded: the XP, its outbox entry. */
  overlapCorrection: XP + OUTBOX + VERSION,
  /**
   * A user's latest verification replacing their previous one, and the totals moved by the
   * difference (migration/consistency/consistencyChecks.ts).
   */
  consistencyCheck: CONSISTENCY_CHECK_WRITES + CONSISTENCY_TOTALS,
  /**
   * A commit of consistency findings: per record its open inconsistency (opened, updated or
   * closed) and, repaired, its outbox entry; the totals' repair count. No data version: neither
   * changes what the user's data is.
   */
  consistencyFindings:
    config.consistency.findingsPerCommit * (OPEN_INCONSISTENCY + OUTBOX) + CONSISTENCY_TOTALS,
} as const;
