import type { Firestore } from 'firebase-admin/firestore';
import { userPaths } from './paths';

/**
 * Every id the user deleted through the API. Ids only (no fields read); a fallback read, which
 * already reads the user's whole legacy history, pays one more query for it.
 */
export async function tombstonedIds(db: Firestore, uid: string): Promise<ReadonlySet<string>> {
  const snap = await userPaths(db, uid).tombstones.select().get();
  return new Set(snap.docs.map((doc) => doc.id));
}
