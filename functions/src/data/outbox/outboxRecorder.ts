import type { Transaction } from 'firebase-admin/firestore';
import type { ChangeRecorder } from '../entityChange';
import type { UserPaths } from '../firestore/paths';
import { recordOutboxEntry } from '../firestore/userWrites';

/**
 * Dual-write's half of a commit: each changed record's outbox entry is (re)written, atomically
 * with the change. One write per changed record, whatever its history.
 */
export const recordInOutbox: ChangeRecorder<Transaction, UserPaths> = (tx, paths, changes, now) => {
  for (const change of changes) recordOutboxEntry(tx, paths, change, now);
};
