import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Hosts come from firebase.json, the same file the emulators were started from. */
const firebaseJson = JSON.parse(
  readFileSync(join(__dirname, '../../../firebase.json'), 'utf8'),
) as {
  emulators: Record<string, { host: string; port: number }>;
};

export const PROJECT_ID = 'demo-habits';
export const REGION = 'us-central1';

export function emulatorHost(
  name: 'auth' | 'functions' | 'firestore' | 'pubsub' | 'tasks' | 'hosting',
) {
  const { host, port } = firebaseJson.emulators[name];
  return { host, port, origin: `http://${host}:${port}` };
}
