import type { Firestore } from 'firebase-admin/firestore';
import { EXIT, OpsError } from '../opsContext';

/**
 * A uid the backend has never seen: no data under users/{uid} and no CloudKit link. Telling it
 * apart from "not migrated yet" saves an operator from watching a typo forever.
 */
export async function requireKnownUser(db: Firestore, uid: string): Promise<void> {
  const [collections, link] = await Promise.all([
    db.doc(`users/${uid}`).listCollections(),
    db.doc(`legacyLinks/${uid}`).get(),
  ]);
  if (collections.length === 0 && !link.exists) {
    throw new OpsError(
      `unknown user ${uid}: no data in Firestore and no CloudKit link`,
      EXIT.unknownUser,
    );
  }
}
