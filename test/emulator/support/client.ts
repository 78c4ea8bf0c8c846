import { randomUUID } from 'node:crypto';
import { deleteApp, type FirebaseApp, initializeApp } from 'firebase/app';
import { connectAuthEmulator, createUserWithEmailAndPassword, getAuth } from 'firebase/auth';
import {
  connectFunctionsEmulator,
  type FunctionsError,
  getFunctions,
  httpsCallable,
} from 'firebase/functions';
import {
  connectFirestoreEmulator,
  doc,
  type Firestore,
  getFirestore,
  setDoc,
} from 'firebase/firestore';
import { adminAuth } from './admin';
import { emulatorHost, PROJECT_ID, REGION } from './emulators';

const apps: FirebaseApp[] = [];

export interface AppClient {
  uid: string | undefined;
  call<T = Record<string, unknown>>(name: string, data?: unknown): Promise<T>;
  /** What the app writes to Firestore itself (firestore.rules): its settings document. */
  saveSettings(settings: Record<string, unknown>): Promise<void>;
}

/** A client that talks to the emulators exactly as the mobile app does: the web SDK. */
async function client(signIn: boolean, claims?: Record<string, unknown>): Promise<AppClient> {
  const app = initializeApp(
    { projectId: PROJECT_ID, apiKey: 'demo-api-key', authDomain: `${PROJECT_ID}.firebaseapp.com` },
    `test-${randomUUID()}`,
  );
  apps.push(app);
  const auth = getAuth(app);
  connectAuthEmulator(auth, emulatorHost('auth').origin, { disableWarnings: true });
  const functions = getFunctions(app, REGION);
  const { host, port } = emulatorHost('functions');
  connectFunctionsEmulator(functions, host, port);
  let uid: string | undefined;
  if (signIn) {
    const credential = await createUserWithEmailAndPassword(
      auth,
      `user-${randomUUID()}@example.com`,
      'password-123',
    );
    uid = credential.user.uid;
    if (claims) {
      await adminAuth().setCustomUserClaims(uid, claims);
      await credential.user.getIdToken(true); // the next calls carry the new claims
    }
  }
  let db: Firestore | undefined;
  const firestore = () => {
    if (!db) {
      db = getFirestore(app);
      const { host: fsHost, port: fsPort } = emulatorHost('firestore');
      connectFirestoreEmulator(db, fsHost, fsPort);
    }
    return db;
  };
  return {
    uid,
    async saveSettings(settings) {
      await setDoc(doc(firestore(), `users/${uid}/settings/preferences`), settings);
    },
    async call<T>(name: string, data?: unknown): Promise<T> {
      // Longer than the SDK's 70 s default: contended emulator transactions can be slow.
      const result = await httpsCallable(functions, name, { timeout: 150_000 })(data);
      return result.data as T;
    },
  };
}

export const signedInUser = () => client(true) as Promise<AppClient & { uid: string }>;
export const signedOutClient = () => client(false);
export const signedInAdmin = () =>
  client(true, { admin: true }) as Promise<AppClient & { uid: string }>;

export async function deleteAllClients(): Promise<void> {
  await Promise.all(apps.splice(0).map((app) => deleteApp(app)));
}

export interface CallFailure {
  code: string;
  message: string;
  details: unknown;
}

/** The error a call failed with, as the client SDK reports it (`functions/not-found`, ...). */
export async function failureOf(promise: Promise<unknown>): Promise<CallFailure> {
  try {
    await promise;
  } catch (error) {
    const e = error as FunctionsError;
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
