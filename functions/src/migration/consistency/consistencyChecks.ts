import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import {
  type ConsistencyCheck,
  consistencyCheckSchema,
  totalsChange,
} from '../../domain/consistency';
import { userPaths } from '../../data/firestore/paths';
import { readStoredIfExists } from '../../data/firestore/storedDocuments';
import { writeConsistencyCheck } from '../../data/firestore/userWrites';
import { consistencyRefs } from './consistencyRecords';

/**
 * Stores a user's latest verification and moves the totals by its difference from the one it
 * replaces, in one transaction (transactionWrites.consistencyCheck): two verifications of the
 * same user, even at once, leave the totals as the sum of each user's latest check.
 */
export async function recordConsistencyCheck(
  db: Firestore,
  uid: string,
  check: ConsistencyCheck,
): Promise<void> {
  const paths = userPaths(db, uid);
  const { totals } = consistencyRefs(db);
  await db.runTransaction(async (tx) => {
    const previous = readStoredIfExists(consistencyCheckSchema, await tx.get(paths.consistency));
    const change = totalsChange(previous, check);
    writeConsistencyCheck(tx, paths, check);
    // Increments: the totals document is shared by every user's check, and needs no read.
    tx.set(
      totals,
      {
        records: FieldValue.increment(change.records),
        consistent: FieldValue.increment(change.consistent),
        mismatches: FieldValue.increment(change.mismatches),
        usersVerified: FieldValue.increment(change.usersVerified),
        lastRunAt: check.checkedAt,
      },
      { merge: true },
    );
  });
}
