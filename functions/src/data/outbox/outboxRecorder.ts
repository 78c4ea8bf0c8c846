import type { Transaction } from 'firebase-admin/firestore';
import type { ChangeRecorder } from '../entityChange';
import type { UserPaths } from '../firestore/paths';
import { type OutboxEntry, outboxOpId } from './outboxEntry';

/** Dual-write's half of a commit: each change also lands in the user's outbox, atomically. */
export const recordInOutbox: ChangeRecorder<Transaction, UserPaths> = (tx, paths, changes, now) => {
  for (const change of changes) {
    const entry: OutboxEntry = {
      change,
      status: 'pending',
      enqueues: 1,
      createdAt: now,
      updatedAt: now,
    };
    tx.set(paths.legacyOutbox.doc(outboxOpId(change)), entry);
  }
};
