import { type FirebaseApp, type FirebaseOptions, initializeApp } from 'firebase/app';
import { type Auth, connectAuthEmulator, getAuth } from 'firebase/auth';
import {
  connectFunctionsEmulator,
  type Functions,
  getFunctions,
  httpsCallable,
} from 'firebase/functions';

/** The emulators' project when the page is opened without Hosting's init.json (a file, a test). */
const FALLBACK: FirebaseOptions = { projectId: 'demo-habits', apiKey: 'demo-api-key' };
const REGION = 'us-central1';
/** firebase.json's emulator ports; the emulators listen on 127.0.0.1 only. */
const EMULATOR_HOST = '127.0.0.1';
const AUTH_PORT = 9099;
const FUNCTIONS_PORT = 5001;

export interface Backend {
  app: FirebaseApp;
  auth: Auth;
  functions: Functions;
  emulated: boolean;
  call<T>(name: string, data?: unknown): Promise<T>;
}

/** Hosting (and its emulator) serves the project's web config at /__/firebase/init.json. */
async function firebaseConfig(): Promise<FirebaseOptions> {
  try {
    const response = await fetch('/__/firebase/init.json');
    if (response.ok) {
      const served = (await response.json()) as FirebaseOptions;
      return { ...FALLBACK, ...served, apiKey: served.apiKey || FALLBACK.apiKey };
    }
  } catch {
    // not served by Hosting
  }
  return FALLBACK;
}

/** Served from this machine: Auth and Functions are the emulators'. */
export function isLocal(hostname = location.hostname): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

export async function connect(): Promise<Backend> {
  const config = await firebaseConfig();
  const app = initializeApp({
    ...config,
    authDomain: config.authDomain ?? `${config.projectId}.firebaseapp.com`,
  });
  const auth = getAuth(app);
  const functions = getFunctions(app, REGION);
  const emulated = isLocal();
  if (emulated) {
    connectAuthEmulator(auth, `http://${EMULATOR_HOST}:${AUTH_PORT}`, { disableWarnings: true });
    connectFunctionsEmulator(functions, EMULATOR_HOST, FUNCTIONS_PORT);
  }
  return {
    app,
    auth,
    functions,
    emulated,
    async call<T>(name: string, data?: unknown): Promise<T> {
      const result = await httpsCallable(functions, name, { timeout: 60_000 })(data ?? {});
      return result.data as T;
    },
  };
}

/** The callable error code without its `functions/` prefix: `permission-denied`, ... */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code.replace(/^functions\//, '') : 'unknown';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
