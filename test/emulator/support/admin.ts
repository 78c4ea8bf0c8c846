import { getApps, initializeApp } from 'firebase-admin/app';
import { type Auth, getAuth } from 'firebase-admin/auth';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { emulatorHost, PROJECT_ID } from './emulators';

let db: Firestore | undefined;

function adminApp() {
  const firestoreHost = emulatorHost('firestore');
  const authHost = emulatorHost('auth');
  process.env.FIRESTORE_EMULATOR_HOST ??= `${firestoreHost.host}:${firestoreHost.port}`;
  const tasksHost = emulatorHost('tasks');
  process.env.FIREBASE_AUTH_EMULATOR_HOST ??= `${authHost.host}:${authHost.port}`;
  process.env.CLOUD_TASKS_EMULATOR_HOST ??= `${tasksHost.host}:${tasksHost.port}`;
  // A named service account keeps the SDK from asking a metadata server for one.
  return (
    getApps()[0] ??
    initializeApp({ projectId: PROJECT_ID, serviceAccountId: 'emulated-service-acct@email.com' })
  );
}

/** Admin access to the emulated Firestore, to check what a callable stored. */
export function adminDb(): Firestore {
  return (db ??= getFirestore(adminApp()));
}

/**
 * Firestore of a project of its own on the same emulator: what a test writes there never reaches
 * the emulated functions (their triggers watch demo-habits), so the test alone drives the work.
 */
export function isolatedFirestore(projectId: string): Firestore {
  adminApp(); // points the SDK at the emulators
  const app =
    getApps().find((a) => a.name === projectId) ??
    initializeApp({ projectId, serviceAccountId: 'emulated-service-acct@email.com' }, projectId);
  return getFirestore(app);
}

/** Admin access to the emulated Auth, to give a test user custom claims. */
export function adminAuth(): Auth {
  return getAuth(adminApp());
}

export async function docData(path: string) {
  const snap = await adminDb().doc(path).get();
  return snap.exists ? snap.data() : undefined;
}

export async function collectionIds(path: string): Promise<string[]> {
  const snap = await adminDb().collection(path).get();
  return snap.docs.map((d) => d.id).sort();
}

/**
 * Delivery writes to the legacy store, then removes the outbox entry: the record can be seen a
 * moment before the entry is gone, so the drained outbox is waited for too.
 */
export async function outboxDrained(uid: string, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let ids = await collectionIds(`users/${uid}/legacyOutbox`);
  while (ids.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    ids = await collectionIds(`users/${uid}/legacyOutbox`);
  }
  return ids;
}
