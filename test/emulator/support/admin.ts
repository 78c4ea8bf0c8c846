import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { emulatorHost, PROJECT_ID } from './emulators';

let db: Firestore | undefined;

/** Admin access to the emulated Firestore, to check what a callable stored. */
export function adminDb(): Firestore {
  if (!db) {
    const { host, port } = emulatorHost('firestore');
    process.env.FIRESTORE_EMULATOR_HOST ??= `${host}:${port}`;
    const app = getApps()[0] ?? initializeApp({ projectId: PROJECT_ID });
    db = getFirestore(app);
  }
  return db;
}

export async function docData(path: string) {
  const snap = await adminDb().doc(path).get();
  return snap.exists ? snap.data() : undefined;
}

export async function collectionIds(path: string): Promise<string[]> {
  const snap = await adminDb().collection(path).get();
  return snap.docs.map((d) => d.id).sort();
}
