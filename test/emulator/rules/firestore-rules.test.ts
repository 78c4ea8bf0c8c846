/**
 * Security rules (firestore.rules) against the Firestore emulator.
 *
 * Needs FIRESTORE_EMULATOR_HOST (the rules-unit-testing library reads it). Covers every path of
 * docs/architecture.md "Data in Firestore" for every role: the owner, another signed-in user,
 * signed out.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestContext,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import firebase from 'firebase/compat/app';
import 'firebase/compat/firestore';

type Db = firebase.firestore.Firestore;
type Data = Record<string, unknown>;

const OWNER = 'alice';
const OTHER = 'bob';
const VALID_SETTINGS = { timeZone: 'Europe/Paris' };
const PREFS = `users/${OWNER}/settings/preferences`;

let testEnv: RulesTestEnvironment;

/** Every document kind of the design, for one user; plus deeper and not-yet-designed paths. */
function userPaths(uid: string): string[] {
  return [
    `users/${uid}`,
    `users/${uid}/habits/h1`,
    `users/${uid}/habits/h1/notes/n1`,
    `users/${uid}/completions/h1_2024-03-01`,
    `users/${uid}/xpEvents/e1`,
    `users/${uid}/meta/progress`,
    `users/${uid}/meta/sync`,
    `users/${uid}/meta/migration`,
    `users/${uid}/streaks/h1`,
    `users/${uid}/settings/preferences`,
    `users/${uid}/legacyOutbox/op1`,
    `users/${uid}/migrationErrors/CD_Habit_123`,
    `users/${uid}/tombstones/h9`,
  ];
}
// Server-only top-level data: telemetry counters, and users' encrypted CloudKit tokens, which not
// even their owner may read.
const OPS_PATHS = ['ops/x', 'ops/counters/daily/2024-03-01', 'legacyLinks/alice'];

/** Seed content per path: settings are valid settings, everything else some server document. */
function seedFor(path: string): Data {
  return path.endsWith('/settings/preferences') ? VALID_SETTINGS : { version: 1, name: path };
}

async function seed(paths: string[]): Promise<void> {
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    const batch = db.batch(); // one commit: this runs before each of the ~370 tests
    for (const path of paths) batch.set(db.doc(path), seedFor(path));
    await batch.commit();
  });
}

async function removeSeeded(path: string): Promise<void> {
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    await ctx.firestore().doc(path).delete();
  });
}

async function readSeeded(path: string): Promise<Data | undefined> {
  let data: Data | undefined;
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    data = (await ctx.firestore().doc(path).get()).data();
  });
  return data;
}

type Role = 'owner' | 'other' | 'signedOut';
const ROLES: Role[] = ['owner', 'other', 'signedOut'];

function context(role: Role): RulesTestContext {
  switch (role) {
    case 'owner':
      return testEnv.authenticatedContext(OWNER);
    case 'other':
      return testEnv.authenticatedContext(OTHER);
    case 'signedOut':
      return testEnv.unauthenticatedContext();
  }
}
const dbAs = (role: Role): Db => context(role).firestore();

/**
 * The rules' verdict on `op`. A client that could not reach the emulator in time (its "client is
 * offline", code `unavailable`: the machine was busy) has no verdict yet: asked again, up to
 * three times. Every op here is a read or an idempotent write, so asking again is harmless.
 */
async function expectAllowed(allowed: boolean, op: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      if (allowed) await assertSucceeds(op());
      else await assertFails(op());
      return;
    } catch (error) {
      // assertFails rewraps what is not a denial: the message still names the offline client.
      const offline =
        (error as { code?: unknown }).code === 'unavailable' ||
        /client is offline/.test(String((error as Error).message));
      if (!offline || attempt === 3) throw error;
    }
  }
}

beforeAll(async () => {
  if (!process.env.FIRESTORE_EMULATOR_HOST) {
    throw new Error('FIRESTORE_EMULATOR_HOST is not set: start the Firestore emulator first');
  }
  // Denied writes are expected here; without this the SDK logs a warning for each of them.
  firebase.firestore.setLogLevel('error');
  testEnv = await initializeTestEnvironment({
    projectId: 'demo-habits',
    firestore: { rules: readFileSync(resolve(__dirname, '../../../firestore.rules'), 'utf8') },
  });
});

beforeEach(async () => {
  await testEnv.clearFirestore();
  await seed([...userPaths(OWNER), ...userPaths(OTHER), ...OPS_PATHS]);
});

afterAll(async () => {
  await testEnv?.cleanup();
});

// ---------------------------------------------------------------------------------------------
// Reads: the owner reads their whole subtree; nobody reads anyone else's data or ops/**.

const readCases: [string, Role, boolean][] = [
  ...userPaths(OWNER).flatMap((path) =>
    ROLES.map((role): [string, Role, boolean] => [path, role, role === 'owner']),
  ),
  ...OPS_PATHS.flatMap((path) => ROLES.map((role): [string, Role, boolean] => [path, role, false])),
];

describe('reads', () => {
  it.each(readCases)('get %s as %s -> allowed=%s', async (path, role, allowed) => {
    await expectAllowed(allowed, () => dbAs(role).doc(path).get());
  });

  it('a missing document in the own subtree can be read (not found is not denied)', async () => {
    await assertSucceeds(dbAs('owner').doc(`users/${OWNER}/habits/does-not-exist`).get());
  });

  it('ops/x is not readable even by a user whose uid is "x"', async () => {
    await assertFails(testEnv.authenticatedContext('x').firestore().doc('ops/x').get());
  });

  it('an admin-looking custom claim grants nothing on another user', async () => {
    const db = testEnv.authenticatedContext(OTHER, { admin: true }).firestore();
    await assertFails(db.doc(`users/${OWNER}/habits/h1`).get());
  });

  const listCases: [string, Role, boolean][] = [
    'habits',
    'completions',
    'xpEvents',
    'meta',
    'streaks',
    'settings',
    'legacyOutbox',
    'migrationErrors',
    'tombstones',
  ].flatMap((coll) =>
    ROLES.map((role): [string, Role, boolean] => [
      `users/${OWNER}/${coll}`,
      role,
      role === 'owner',
    ]),
  );

  it.each(listCases)('list %s as %s -> allowed=%s', async (path, role, allowed) => {
    await expectAllowed(allowed, () => dbAs(role).collection(path).get());
  });

  it.each(ROLES)('list the top-level users collection as %s is denied', async (role) => {
    await assertFails(dbAs(role).collection('users').get());
  });

  it.each(ROLES)('list ops as %s is denied', async (role) => {
    await assertFails(dbAs(role).collection('ops').get());
  });

  it.each(ROLES)('collection-group query over habits as %s is denied', async (role) => {
    await assertFails(dbAs(role).collectionGroup('habits').get());
  });
});

// ---------------------------------------------------------------------------------------------
// Writes: only the owner's settings/preferences; everything else is server-only.

type WriteOp = 'create' | 'set' | 'update' | 'delete';
const WRITE_OPS: WriteOp[] = ['create', 'set', 'update', 'delete'];

/** The written content is valid settings, so a denial comes from the path, not the data. */
async function write(role: Role, path: string, op: WriteOp): Promise<unknown> {
  const ref = dbAs(role).doc(path);
  switch (op) {
    case 'create':
      await removeSeeded(path);
      return ref.set({ timeZone: 'UTC' });
    case 'set':
      return ref.set({ timeZone: 'UTC' });
    case 'update':
      return ref.update({ timeZone: 'UTC' });
    case 'delete':
      return ref.delete();
  }
}

const writeCases: [string, WriteOp, Role, boolean][] = [...userPaths(OWNER), ...OPS_PATHS].flatMap(
  (path) =>
    WRITE_OPS.flatMap((op) =>
      ROLES.map((role): [string, WriteOp, Role, boolean] => [
        path,
        op,
        role,
        path === PREFS && role === 'owner',
      ]),
    ),
);

describe('writes', () => {
  it.each(writeCases)('%s: %s as %s -> allowed=%s', async (path, op, role, allowed) => {
    const before = await readSeeded(path);
    await expectAllowed(allowed, () => write(role, path, op));
    if (!allowed && op !== 'create') expect(await readSeeded(path)).toEqual(before);
  });

  it.each(ROLES)('a new document in a new collection as %s is denied', async (role) => {
    await assertFails(dbAs(role).doc(`users/${OWNER}/anything/new`).set({ timeZone: 'UTC' }));
  });

  it.each(ROLES)('a new top-level document as %s is denied', async (role) => {
    await assertFails(dbAs(role).doc('anything/new').set({ a: 1 }));
  });

  it('a batch mixing the settings with a server document is denied as a whole', async () => {
    const db = dbAs('owner');
    const batch = db.batch();
    batch.set(db.doc(PREFS), { timeZone: 'UTC' });
    batch.set(db.doc(`users/${OWNER}/meta/sync`), { version: 99 });
    await assertFails(batch.commit());
    expect(await readSeeded(PREFS)).toEqual(VALID_SETTINGS);
  });
});

// ---------------------------------------------------------------------------------------------
// Settings validation (owner writes to users/{uid}/settings/preferences).

describe('settings: other doc ids and other users', () => {
  it.each([
    `users/${OWNER}/settings/other`,
    `users/${OWNER}/settings/Preferences`,
    `users/${OWNER}/settings/preferences/history/h1`,
  ])('the owner cannot write %s', async (path) => {
    await assertFails(dbAs('owner').doc(path).set(VALID_SETTINGS));
  });

  it.each<[string, (db: Db) => Promise<unknown>]>([
    ['create', (db) => db.doc(PREFS).set(VALID_SETTINGS)],
    ['set', (db) => db.doc(PREFS).set({ timeZone: 'Asia/Tokyo' })],
    ['update', (db) => db.doc(PREFS).update({ remindersEnabled: false })],
    ['delete', (db) => db.doc(PREFS).delete()],
  ])('another signed-in user cannot %s your settings', async (op, run) => {
    if (op === 'create') await removeSeeded(PREFS);
    await assertFails(run(dbAs('other')));
    expect(await readSeeded(PREFS)).toEqual(op === 'create' ? undefined : VALID_SETTINGS);
  });
});

const longString = (n: number): string => 'A'.repeat(n);

const settingsCases: [string, boolean, Data][] = [
  ['valid minimal', true, { timeZone: 'UTC' }],
  [
    'valid full',
    true,
    { timeZone: 'America/Argentina/Buenos_Aires', remindersEnabled: false, locale: 'pt-BR' },
  ],
  ['valid zone with + and digits', true, { timeZone: 'Etc/GMT+5' }],
  ['valid zone with -', true, { timeZone: 'America/Port-au-Prince' }],
  ['valid 64-char zone', true, { timeZone: longString(64) }],
  ['valid 2-char locale', true, { timeZone: 'UTC', locale: 'fr' }],
  ['valid 35-char locale', true, { timeZone: 'UTC', locale: 'a'.repeat(35) }],
  ['valid remindersEnabled true', true, { timeZone: 'UTC', remindersEnabled: true }],
  ['empty document', false, {}],
  ['missing timeZone', false, { remindersEnabled: true, locale: 'en-US' }],
  ['timeZone number', false, { timeZone: 1 }],
  ['timeZone null', false, { timeZone: null }],
  ['timeZone bool', false, { timeZone: true }],
  ['timeZone map', false, { timeZone: { name: 'UTC' } }],
  ['timeZone list', false, { timeZone: ['UTC'] }],
  ['timeZone empty', false, { timeZone: '' }],
  ['timeZone 65 chars', false, { timeZone: longString(65) }],
  ['timeZone with 3 slashes', false, { timeZone: 'A/B/C/D' }],
  ['timeZone starting with a digit', false, { timeZone: '1Europe' }],
  ['timeZone starting with a slash', false, { timeZone: '/UTC' }],
  ['timeZone ending with a slash', false, { timeZone: 'UTC/' }],
  ['timeZone with empty segment', false, { timeZone: 'Europe//Paris' }],
  ['timeZone with a space', false, { timeZone: 'Europe/Paris ' }],
  ['timeZone with dots', false, { timeZone: 'Europe/../x' }],
  ['timeZone with a newline', false, { timeZone: 'UTC\nUTC' }],
  ['remindersEnabled string', false, { timeZone: 'UTC', remindersEnabled: 'yes' }],
  ['remindersEnabled number', false, { timeZone: 'UTC', remindersEnabled: 1 }],
  ['remindersEnabled null', false, { timeZone: 'UTC', remindersEnabled: null }],
  ['locale number', false, { timeZone: 'UTC', locale: 42 }],
  ['locale null', false, { timeZone: 'UTC', locale: null }],
  ['locale 1 char', false, { timeZone: 'UTC', locale: 'e' }],
  ['locale 36 chars', false, { timeZone: 'UTC', locale: 'a'.repeat(36) }],
  ['unknown key', false, { timeZone: 'UTC', theme: 'dark' }],
  [
    'unknown key with server timestamp',
    false,
    { timeZone: 'UTC', updatedAt: firebase.firestore.FieldValue.serverTimestamp() },
  ],
];

describe('settings validation', () => {
  it.each(settingsCases)('create: %s -> allowed=%s', async (_name, allowed, data) => {
    await removeSeeded(PREFS);
    await expectAllowed(allowed, () => dbAs('owner').doc(PREFS).set(data));
  });

  it.each(settingsCases)('overwrite: %s -> allowed=%s', async (_name, allowed, data) => {
    await expectAllowed(allowed, () => dbAs('owner').doc(PREFS).set(data));
    if (!allowed) expect(await readSeeded(PREFS)).toEqual(VALID_SETTINGS);
  });

  const del = (): firebase.firestore.FieldValue => firebase.firestore.FieldValue.delete();
  // On update the rules see the whole resulting document, so partial writes are checked too.
  const updateCases: [string, boolean, Data][] = [
    ['change timeZone', true, { timeZone: 'Asia/Tokyo' }],
    ['add remindersEnabled', true, { remindersEnabled: true }],
    ['add locale', true, { locale: 'de-DE' }],
    ['remove locale', true, { locale: del() }],
    ['remove timeZone', false, { timeZone: del() }],
    ['timeZone number', false, { timeZone: 5 }],
    ['invalid timeZone', false, { timeZone: 'not a zone' }],
    ['remindersEnabled string', false, { remindersEnabled: 'true' }],
    ['locale too long', false, { locale: 'a'.repeat(36) }],
    ['unknown key', false, { extra: 1 }],
    ['dotted key', false, { 'timeZone.name': 'UTC' }],
  ];

  it.each(updateCases)('update: %s -> allowed=%s', async (_name, allowed, data) => {
    await expectAllowed(allowed, () => dbAs('owner').doc(PREFS).update(data));
  });

  it.each(updateCases)('merge set: %s -> allowed=%s', async (_name, allowed, data) => {
    // With update() 'timeZone.name' is a field path (timeZone becomes a map); with set() it is a
    // literal field name, hence an unknown key. Both are denied.
    await expectAllowed(allowed, () => dbAs('owner').doc(PREFS).set(data, { merge: true }));
  });

  it('an existing invalid document (hand-edited) can still be deleted or fixed by the owner', async () => {
    await testEnv.withSecurityRulesDisabled(async (ctx) => {
      await ctx.firestore().doc(PREFS).set({ timeZone: 7, junk: true });
    });
    await assertFails(dbAs('owner').doc(PREFS).update({ remindersEnabled: true }));
    await assertSucceeds(dbAs('owner').doc(PREFS).set({ timeZone: 'UTC' }));
    await assertSucceeds(dbAs('owner').doc(PREFS).delete());
  });

  it('deleting a missing settings document is allowed for the owner', async () => {
    await removeSeeded(PREFS);
    await assertSucceeds(dbAs('owner').doc(PREFS).delete());
  });
});
