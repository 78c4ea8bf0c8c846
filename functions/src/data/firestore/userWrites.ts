import {
  type DocumentReference,
  FieldValue,
  type Transaction,
  type WriteResult,
} from 'firebase-admin/firestore';
import type { z } from 'zod';
import type { ConsistencyCheck } from '../../domain/consistency';
import { type Progress, progressFromXp } from '../../domain/progress';
import type { EntityChange } from '../entityChange';
import { newOutboxEntry, recordDocumentId } from '../outbox/outboxEntry';
import type { UserPaths } from './paths';
import type { storedTombstone, storedXpEvent } from './storedDocuments';

/**
 * The per-user documents that several writers touch (the API's repository, the backfill and
 * catch-up pages, outbox delivery): each one's shape and write rule is here and nowhere else, so
 * the writers cannot drift apart. Every primitive writes into the caller's transaction, so what it
 * writes commits with the change it belongs to or not at all (invariant 1). Beside each is the
 * number of documents it writes: transactionWrites.ts adds these up into each commit's worst case.
 */

/** users/{uid}/meta/sync takes one write per commit, however much the commit changed. */
export const DATA_VERSION_WRITES = 1;

/**
 * Merged, so the bump never needs the document read: a reader that holds version N knows nothing
 * changed while the version is still N.
 */
function dataVersionBump(now: string) {
  return { version: FieldValue.increment(1), updatedAt: now };
}

/** The data version bump every commit that changes user data makes. */
export function bumpDataVersion(tx: Transaction, paths: UserPaths, now: string): void {
  tx.set(paths.sync, dataVersionBump(now), { merge: true });
}

/**
 * The same bump committed on its own, after a write this backend did not make (the app writes its
 * settings directly), so a snapshot taken before that write stops matching.
 */
export function bumpDataVersionAlone(paths: UserPaths, now: string): Promise<WriteResult> {
  return paths.sync.set(dataVersionBump(now), { merge: true });
}

/** One entry per changed record, whatever its history. */
export const OUTBOX_ENTRY_WRITES = 1;

/**
 * (Re)writes the record's outbox entry as a fresh pending one: a burst of changes is one delivery
 * of the latest state, and attempts or errors of an older change do not carry over.
 */
export function recordOutboxEntry(
  tx: Transaction,
  paths: UserPaths,
  change: EntityChange,
  now: string,
): void {
  const entry = newOutboxEntry(change, now);
  tx.set(paths.legacyOutbox.doc(recordDocumentId(entry.recordName)), entry);
}

export const TOMBSTONE_WRITES = 1;

type StoredTombstone = z.output<typeof storedTombstone>;

/**
 * What was deleted, and when (the conflict rule dates a deletion by it). Its version is one above
 * the deleted document's, so versions keep rising across delete and re-create and the legacy store
 * can order every change.
 */
export function writeTombstone(
  tx: Transaction,
  paths: UserPaths,
  deleted: { kind: StoredTombstone['kind']; id: string; version: number },
  deletedAt: string,
): void {
  const tombstone: StoredTombstone = {
    kind: deleted.kind,
    version: deleted.version + 1,
    deletedAt,
  };
  tx.set(paths.tombstones.doc(deleted.id), tombstone);
}

/** The id exists again (logged anew, or a legacy copy beat the deletion): the tombstone goes. */
export function removeTombstone(tx: Transaction, paths: UserPaths, id: string): void {
  tx.delete(paths.tombstones.doc(id));
}

export const XP_EVENT_WRITES = 1;

export type XpEventFields = Omit<z.output<typeof storedXpEvent>, 'createdAt'>;

/**
 * One ledger entry, created: the id says which event it is (an API change's own id, or the one id
 * a migrated event or a correction always gets), so an entry that exists already fails the commit
 * rather than counting twice.
 */
export function createXpEvent(
  tx: Transaction,
  ref: DocumentReference,
  event: XpEventFields,
  now: string,
): void {
  tx.create(ref, { ...event, createdAt: now });
}

export const PROGRESS_WRITES = 1;

/** meta/progress for a ledger summing to `ledgerXp`: the shown total never goes below 0. */
function progressDocument(ledgerXp: number, now: string) {
  return { ...progressFromXp(ledgerXp), ledgerXp, updatedAt: now };
}

/**
 * The running total after the caller's entries. Merged: the migrated opening balance
 * (`legacyXp`) beside it stays as the backfill last wrote it.
 */
export function writeProgress(
  tx: Transaction,
  paths: UserPaths,
  ledgerXp: number,
  now: string,
): void {
  tx.set(paths.progress, progressDocument(ledgerXp, now), { merge: true });
}

/**
 * The running total with the opening balance a backfill or catch-up page moved. The page read
 * the whole document and writes all of it (`legacyXp` included), so it is set, not merged: this
 * is how pages have always written it, and a merge would keep fields a set drops, a change in
 * what the document holds that this module does not make.
 */
export function writeProgressWithOpeningBalance(
  tx: Transaction,
  paths: UserPaths,
  ledgerXp: number,
  legacyXp: number,
  now: string,
): void {
  tx.set(paths.progress, { ...progressDocument(ledgerXp, now), legacyXp });
}

/** An entry and the total it moves. */
export const APPEND_XP_WRITES = XP_EVENT_WRITES + PROGRESS_WRITES;

/**
 * One ledger entry and the running total it moves, in the caller's transaction: two writes, none
 * for a zero delta. `previousSum` (xpLedger.ts, ledgerSumOf) was read in that transaction.
 */
export function appendXpEvent(
  tx: Transaction,
  paths: UserPaths,
  ref: DocumentReference,
  previousSum: number,
  event: XpEventFields,
  now: string,
): Progress {
  const progress = progressFromXp(previousSum + event.delta);
  if (event.delta === 0) return progress;
  createXpEvent(tx, ref, event, now);
  writeProgress(tx, paths, previousSum + event.delta, now);
  return progress;
}

export const HABIT_WORK_WRITES = 1;

/**
 * users/{uid}/habitWork/{habitId}: what a habit write left for the background. Written in the
 * same commit as the write, so the work cannot be lost: its trigger queues a task, and a sweep
 * re-drives a request that stayed pending. Flags only ever get set here; the task clears the
 * document once it did everything, unless a newer request arrived meanwhile.
 */
export interface HabitWorkRequest {
  /** The habit is deleted: its completions are still to be removed. */
  purge?: true;
  /**
   * When it was deleted. Should the habit come back before the purge ends (the old app edited it
   * later), the days it had then still go: the deletion took their XP back.
   */
  purgeBefore?: string;
  /** The streak's runs are missing or counted under an old schedule: recount the history. */
  recount?: true;
}

/** Merged: a request adds its flags to any still pending, never clears one. */
export function requestHabitWork(
  tx: Transaction,
  paths: UserPaths,
  habitId: string,
  work: HabitWorkRequest,
  now: string,
): void {
  tx.set(paths.habitWork.doc(habitId), { ...work, updatedAt: now }, { merge: true });
}

export const CONSISTENCY_CHECK_WRITES = 1;

/**
 * users/{uid}/meta/consistency: the user's latest verification, replacing the one before, in the
 * transaction that moves the totals by the difference (migration/consistency). Never holds a
 * `status` or `dryRun`: the migration-state queries over the `meta` collection group skip it.
 */
export function writeConsistencyCheck(
  tx: Transaction,
  paths: UserPaths,
  check: ConsistencyCheck,
): void {
  tx.set(paths.consistency, check);
}
