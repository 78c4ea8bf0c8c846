#!/usr/bin/env node
// Runs inside `firebase emulators:exec` for `npm start`: loads a demo user with demo habits through
// the same callables the app uses, prints how to call them, then keeps the emulators up until Ctrl+C.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PROJECT_ID, ROOT } from './emulators.mjs';

const { emulators } = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8'));
const origin = (name) => `http://${emulators[name].host}:${emulators[name].port}`;
const AUTH = `${origin('auth')}/identitytoolkit.googleapis.com/v1`;
const FUNCTIONS = `${origin('functions')}/${PROJECT_ID}/us-central1`;
const DEMO = { email: 'demo@example.com', password: 'demo-password' };

async function post(url, body, idToken) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idToken && { authorization: `Bearer ${idToken}` }),
    },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function demoIdToken() {
  const signIn = { ...DEMO, returnSecureToken: true };
  try {
    return (await post(`${AUTH}/accounts:signUp?key=demo-api-key`, signIn)).idToken;
  } catch {
    return (await post(`${AUTH}/accounts:signInWithPassword?key=demo-api-key`, signIn)).idToken;
  }
}

const call = (name, data, idToken) => post(`${FUNCTIONS}/${name}`, { data }, idToken);
const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

const idToken = await demoIdToken();
const habits = [
  { id: 'demo-read', name: 'Read 20 pages', emoji: '📚', schedule: { type: 'daily' } },
  { id: 'demo-run', name: 'Run', emoji: '🏃', schedule: { type: 'weekly', days: [1, 3, 5] } },
  { id: 'demo-water', name: 'Drink water', schedule: { type: 'daily' }, targetPerDay: 8 },
  { id: 'demo-call', name: 'Call family', schedule: { type: 'timesPerWeek', count: 2 } },
];
for (const habit of habits) await call('habits-create', habit, idToken);
for (let day = 6; day >= 0; day -= 1) {
  await call('completions-log', { habitId: 'demo-read', date: daysAgo(day) }, idToken);
  await call(
    'completions-log',
    { habitId: 'demo-water', date: daysAgo(day), count: 6 + (day % 3) },
    idToken,
  );
}

// The simulator's demo users stand for people still on the old app: each has handed the server a
// CloudKit web auth token, as the app does through legacy-link, so a backfill can read their data.
const require = createRequire(import.meta.url);
const lib = (path) => require(join(ROOT, 'functions', 'lib', path));
const { emulatedFunctionsEnv } = lib('ops/localEnvironment.js');
const { FirestoreWebAuthTokenStore } = lib('data/legacy/firestoreWebAuthTokenStore.js');
const { TokenCipher } = lib('data/legacy/tokenCipher.js');
const { initializeApp } = require('firebase-admin/app');
const { getFirestore } = require('firebase-admin/firestore');
const SIM = process.env.CLOUDKIT_SIM_URL;
const tokens = new FirestoreWebAuthTokenStore(
  getFirestore(initializeApp({ projectId: PROJECT_ID }, 'demo-seed')),
  new TokenCipher(emulatedFunctionsEnv().LEGACY_TOKEN_ENCRYPTION_KEY),
);
const legacyUsers = (await (await fetch(`${SIM}/__sim/users`)).json()).users;
for (const { uid } of legacyUsers) {
  const minted = await post(`${SIM}/__sim/tokens`, { uid });
  await tokens.link(uid, minted.webAuthToken);
}

process.stdout.write(`
Demo data loaded: user ${DEMO.email} / ${DEMO.password} with ${habits.length} habits.

Call a callable with curl (this ID token lasts an hour; rerun npm start or sign in again for a new one):
  curl -s -X POST -H 'content-type: application/json' -H 'authorization: Bearer ${idToken}' \\
    -d '{"data":{}}' ${FUNCTIONS}/progress-get

Or from the Firebase web SDK:
  const app = initializeApp({ projectId: '${PROJECT_ID}', apiKey: 'demo-api-key' });
  connectAuthEmulator(getAuth(app), '${origin('auth')}');
  connectFunctionsEmulator(getFunctions(app, 'us-central1'), '${emulators.functions.host}', ${emulators.functions.port});
  await signInWithEmailAndPassword(getAuth(app), '${DEMO.email}', '${DEMO.password}');
  const { data } = await httpsCallable(getFunctions(app, 'us-central1'), 'habits-list')({});

The CloudKit simulator (the legacy store) runs at ${SIM} with ${legacyUsers.length} linked demo users
(${legacyUsers.map((u) => u.uid).join(', ')}). Migrate them, watch, and check the result:
  npm run ops -- backfill --all --force
  npm run ops -- status --watch
  npm run ops -- verify --sample ${legacyUsers.length}

Emulators are running. Press Ctrl+C to stop.
`);
setInterval(() => {}, 1 << 30);
