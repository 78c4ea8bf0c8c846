import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { firebaseApp } from '../firebaseApp';

let db: Firestore | undefined;

/** The one Firestore handle; optional entity fields are simply left out of documents. */
export function firestore(): Firestore {
  if (!db) {
    db = getFirestore(firebaseApp());
    db.settings({ ignoreUndefinedProperties: true });
  }
  return db;
}
