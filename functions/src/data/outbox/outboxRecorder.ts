import type { Transaction } from 'firebase-admin/firestore';
import type { ChangeRecorder } from '../entityChange';
import type { UserPaths } from '../firestore/paths';
import { newOutboxEntry, recordDocumentId } from './outboxEntry';

/**
 * Dual-write's half of a commit: each changed record's outbox entry is (re)written, atomically
 * with the change. One write per changed record, whatever its history.
 */
export const recordInOutbox: ChangeRecorder<Transaction, UserPaths> = (tx, paths, changes, now) => {
  for (const change of changes) {
    const entry = newOutboxEntry(change, now);
    tx.set(paths.legacyOutbox.doc(recordDocumentId(entry.recordName)), entry);
  }
};
