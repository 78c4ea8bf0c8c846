#!/usr/bin/env node
// `npm start`'s demo data: a demo user with demo habits, loaded through the same callables the app
// uses, and the CloudKit simulator's demo users linked as the old app links them. Kept data (a
// restart without --fresh) already has both: then it only signs the demo user in.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EMULATOR_CONFIG, PROJECT_ID, ROOT, SIM_URL } from './emulators.mjs';

export const origin = (name) =>
  `http://${EMULATOR_CONFIG[name].host}:${EMULATOR_CONFIG[name].port}`;
export const AUTH = `${origin('auth')}/identitytoolkit.googleapis.com/v1`;
export const FUNCTIONS = `${origin('functions')}/${PROJECT_ID}/us-central1`;
export const DEMO = { email: 'demo@example.com', password: 'demo-password' };
/** The operators' account: the admin claim, for the dashboard and the admin callables. */
export const OPERATOR = { email: 'operator@example.com', password: 'operator-password' };
export const DASHBOARD = `${origin('hosting')}/`;

/** POSTs JSON (with a bearer token, if given); an answer other than 2xx throws. */
export async function post(url, body, idToken) {
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

/** Signs the demo user in, creating it on a fresh start; `created` says which. */
async function demoSignIn() {
  const signIn = { ...DEMO, returnSecureToken: true };
  try {
    const { idToken } = await post(`${AUTH}/accounts:signInWithPassword?key=demo-api-key`, signIn);
    return { idToken, created: false };
  } catch {
    const { idToken } = await post(`${AUTH}/accounts:signUp?key=demo-api-key`, signIn);
    return { idToken, created: true };
  }
}

/**
 * Signs the operator in, creating the account with the admin claim first if it is not there
 * (docs/operations.md section 5); resolves with an ID token that carries the claim.
 */
export async function operatorIdToken() {
  const signIn = { ...OPERATOR, returnSecureToken: true };
  const url = `${AUTH}/accounts:signInWithPassword?key=demo-api-key`;
  try {
    return (await post(url, signIn)).idToken;
  } catch {
    const { localId } = await post(`${AUTH}/accounts:signUp?key=demo-api-key`, OPERATOR);
    // The Auth emulator takes `Bearer owner` as an admin's credentials.
    await post(
      `${AUTH}/projects/${PROJECT_ID}/accounts:update`,
      { localId, customAttributes: JSON.stringify({ admin: true }) },
      'owner',
    );
    // Signed in again: a token minted before the claim was set would not carry it.
    return (await post(url, signIn)).idToken;
  }
}

const call = (name, data, idToken) => post(`${FUNCTIONS}/${name}`, { data }, idToken);
const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

const HABITS = [
  { id: 'demo-read', name: 'Read 20 pages', emoji: '📚', schedule: { type: 'daily' } },
  { id: 'demo-run', name: 'Run', emoji: '🏃', schedule: { type: 'weekly', days: [1, 3, 5] } },
  { id: 'demo-water', name: 'Drink water', schedule: { type: 'daily' }, targetPerDay: 8 },
  { id: 'demo-call', name: 'Call family', schedule: { type: 'timesPerWeek', count: 2 } },
];

async function loadDemoHabits(idToken) {
  for (const habit of HABITS) await call('habits-create', habit, idToken);
  for (let day = 6; day >= 0; day -= 1) {
    await call('completions-log', { habitId: 'demo-read', date: daysAgo(day) }, idToken);
    await call(
      'completions-log',
      { habitId: 'demo-water', date: daysAgo(day), count: 6 + (day % 3) },
      idToken,
    );
  }
}

// The simulator's demo users stand for people still on the old app: each has handed the server a
// CloudKit web auth token, as the app does through legacy-link, so a backfill can read their data.
async function linkLegacyUsers(legacyUsers) {
  const require = createRequire(import.meta.url);
  const lib = (path) => require(join(ROOT, 'functions', 'lib', path));
  const { emulatedFunctionsEnv } = lib('ops/localEnvironment.js');
  const { createApp } = lib('app.js');
  const { initializeApp } = require('firebase-admin/app');
  const { getFirestore } = require('firebase-admin/firestore');
  process.env.FIRESTORE_EMULATOR_HOST ??= `127.0.0.1:${EMULATOR_CONFIG.firestore.port}`;
  const app = initializeApp({ projectId: PROJECT_ID }, 'demo-data');
  // The functions' own token store (the composition root), as legacy-link stores a token.
  const { legacyTokens } = createApp({
    firebaseApp: () => app,
    firestore: () => getFirestore(app),
    tokenEncryptionKey: () => emulatedFunctionsEnv().LEGACY_TOKEN_ENCRYPTION_KEY,
  });
  for (const { uid } of legacyUsers) {
    const minted = await post(`${SIM_URL}/__sim/tokens`, { uid });
    await legacyTokens().link(uid, minted.webAuthToken);
  }
}

/**
 * Loads the demo data on a fresh start, or signs in on kept data. Resolves with what the readiness
 * summary shows: the demo user's ID token and the simulator's demo uids.
 */
export async function seedDemo() {
  const { idToken, created } = await demoSignIn();
  await operatorIdToken();
  const legacyUsers = (await (await fetch(`${SIM_URL}/__sim/users`)).json()).users;
  if (created) {
    await loadDemoHabits(idToken);
    await linkLegacyUsers(legacyUsers);
  }
  return { idToken, created, habits: HABITS.length, legacyUids: legacyUsers.map((u) => u.uid) };
}
