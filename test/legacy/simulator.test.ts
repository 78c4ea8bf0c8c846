import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { legacyFieldSchemas } from '../../functions/src/data/legacy/legacyRecords';
import {
  generateDemoData,
  startSimulator,
  type CkRecord,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../tools/cloudkit-sim/src';

const CONTAINER = 'iCloud.com.example.habits';
const ZONE = { zoneName: 'com.apple.coredata.cloudkit.zone' };
const PRIVATE = `/database/1/${CONTAINER}/development/private`;
const PUBLIC_QUERY = `/database/1/${CONTAINER}/development/public/records/query`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Answer {
  status: number;
  body: Json;
  headers: Headers;
}

// Every simulator a test starts is closed after it, even when the test fails half way.
const running: RunningSimulator[] = [];
async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator(options);
  running.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

let tempDir: string;
beforeAll(() => {
  tempDir = mkdtempSync(join(tmpdir(), 'cloudkit-sim-test-'));
});
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

async function call(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}

async function admin(sim: RunningSimulator, method: string, path: string, body?: unknown) {
  const answer = await call(sim, method, `/__sim/${path}`, body);
  if (answer.status !== 200) throw new Error(`${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function userWithToken(sim: RunningSimulator, uid: string): Promise<string> {
  await admin(sim, 'POST', 'users', { uid });
  return (await admin(sim, 'POST', 'tokens', { uid })).webAuthToken as string;
}

function privatePath(op: string, token: string, apiToken = 'sim-api-token'): string {
  const query = new URLSearchParams({ ckAPIToken: apiToken, ckWebAuthToken: token });
  return `${PRIVATE}/${op}?${query.toString()}`;
}

const ck = (sim: RunningSimulator, op: string, token: string, body: unknown) =>
  call(sim, 'POST', privatePath(op, token), body);

function habit(name: string, fields: Json = {}): Json {
  return {
    recordName: `CD_Habit_${name}`,
    recordType: 'CD_Habit',
    fields: {
      CD_entityName: { value: 'Habit', type: 'STRING' },
      CD_id: { value: name, type: 'STRING' },
      CD_name: { value: `Habit ${name}`, type: 'STRING' },
      ...fields,
    },
  };
}

const modify = (sim: RunningSimulator, token: string, operations: unknown[], atomic?: boolean) =>
  ck(sim, 'records/modify', token, {
    zoneID: ZONE,
    operations,
    ...(atomic !== undefined && { atomic }),
  });

async function readAllChanges(sim: RunningSimulator, token: string, syncToken?: string) {
  const names: string[] = [];
  let cursor = syncToken;
  for (;;) {
    const answer = await ck(sim, 'records/changes', token, { zoneID: ZONE, syncToken: cursor });
    expect(answer.status).toBe(200);
    names.push(...answer.body.records.map((r: Json) => r.recordName));
    cursor = answer.body.syncToken;
    if (!answer.body.moreComing) return { names, syncToken: cursor as string };
  }
}

describe('records/changes', () => {
  it('pages 5,000+ records with a syncToken that survives a restart on the same data file', async () => {
    const dataFile = join(tempDir, 'changes.json');
    const first = await simulator({ dataFile, seed: { users: 1, days: 250, seed: 3 } });
    const [user] = (await admin(first, 'GET', 'users')).users;
    expect(user.records).toBeGreaterThan(5_000);
    const token = (await admin(first, 'POST', 'tokens', { uid: user.uid })).webAuthToken;

    const seen: string[] = [];
    let syncToken: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      // More than 200 asked for: still pages of 200.
      const answer = await ck(first, 'records/changes', token, {
        zoneID: ZONE,
        resultsLimit: 500,
        syncToken,
      });
      expect(answer.body.records).toHaveLength(200);
      expect(answer.body.moreComing).toBe(true);
      seen.push(...answer.body.records.map((r: Json) => r.recordName));
      syncToken = answer.body.syncToken;
    }
    await first.close();

    const second = await simulator({ dataFile });
    const rest = await readAllChanges(second, token, syncToken);
    const all = [...seen, ...rest.names];
    expect(all).toHaveLength(user.records);
    expect(new Set(all).size).toBe(user.records);

    const caughtUp = await ck(second, 'records/changes', token, {
      zoneID: ZONE,
      syncToken: rest.syncToken,
    });
    expect(caughtUp.body).toEqual({ records: [], syncToken: rest.syncToken, moreComing: false });

    // Only what changed since, in change order, with deletions as tombstones.
    const [victim, edited] = all.slice(0, 2);
    await modify(second, token, [
      { operationType: 'forceDelete', record: { recordName: victim } },
      { operationType: 'forceUpdate', record: { recordName: edited, fields: {} } },
    ]);
    const since = await ck(second, 'records/changes', token, {
      zoneID: ZONE,
      syncToken: rest.syncToken,
    });
    expect(since.body.records).toEqual([
      { recordName: victim, deleted: true },
      expect.objectContaining({ recordName: edited }),
    ]);
    expect(readdirSync(tempDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a syncToken it never issued and a zone that does not exist', async () => {
    const sim = await simulator();
    const token = await userWithToken(sim, 'u1');
    const bad = await ck(sim, 'records/changes', token, { zoneID: ZONE, syncToken: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ serverErrorCode: 'BAD_REQUEST', uuid: expect.any(String) });
    const other = await ck(sim, 'records/changes', token, { zoneID: { zoneName: 'Other' } });
    expect(other.status).toBe(404);
    expect(other.body.serverErrorCode).toBe('ZONE_NOT_FOUND');
  });

  it('serves raw records planted through the admin API, and lists the zone', async () => {
    const sim = await simulator();
    const token = await userWithToken(sim, 'u1');
    await admin(sim, 'PUT', 'users/u1/records', {
      records: [habit('a'), { recordName: 'CD_Habit_broken', recordType: 'CD_Habit' }],
    });
    const { names } = await readAllChanges(sim, token);
    expect(names).toEqual(['CD_Habit_a', 'CD_Habit_broken']);
    const zones = await call(sim, 'GET', privatePath('zones/list', token));
    expect(zones.body.zones).toEqual([
      { zoneID: { zoneName: ZONE.zoneName, ownerRecordName: expect.stringMatching(/^_/) } },
    ]);
    expect((await admin(sim, 'GET', 'users')).users).toEqual([
      { uid: 'u1', userRecordName: expect.any(String), records: 2 },
    ]);
  });
});

describe('records/modify', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeEach(async () => {
    sim = await simulator();
    token = await userWithToken(sim, 'u1');
  });

  it('creates, refuses a second create, updates with the current tag only, and merges fields', async () => {
    const created = await modify(sim, token, [{ operationType: 'create', record: habit('h1') }]);
    const saved = created.body.records[0];
    expect(saved).toMatchObject({ recordName: 'CD_Habit_h1', recordChangeTag: expect.any(String) });
    expect(saved.modified.timestamp).toEqual(expect.any(Number));

    const again = await modify(sim, token, [{ operationType: 'create', record: habit('h1') }]);
    expect(again.body.records[0]).toMatchObject({
      serverErrorCode: 'EXISTS',
      uuid: expect.any(String),
    });

    const stale = { recordName: 'CD_Habit_h1', recordChangeTag: 'stale', fields: {} };
    const conflict = await modify(sim, token, [{ operationType: 'update', record: stale }]);
    expect(conflict.body.records[0]).toMatchObject({
      recordName: 'CD_Habit_h1',
      serverErrorCode: 'CONFLICT',
    });

    const rename = { CD_name: { value: 'Renamed', type: 'STRING' } };
    const updated = await modify(sim, token, [
      {
        operationType: 'update',
        record: {
          recordName: 'CD_Habit_h1',
          recordChangeTag: saved.recordChangeTag,
          fields: rename,
        },
      },
    ]);
    const after = updated.body.records[0];
    expect(after.recordChangeTag).not.toBe(saved.recordChangeTag);
    expect(after.fields.CD_name.value).toBe('Renamed');
    expect(after.fields.CD_id.value).toBe('h1');

    const missing = await modify(sim, token, [
      { operationType: 'update', record: { recordName: 'CD_Habit_none', recordChangeTag: 'x' } },
    ]);
    expect(missing.body.records[0].serverErrorCode).toBe('NOT_FOUND');
  });

  it('replaces (dropping omitted fields), force-updates missing records, and deletes', async () => {
    const [saved] = (await modify(sim, token, [{ operationType: 'create', record: habit('h1') }]))
      .body.records;
    const replaced = await modify(sim, token, [
      {
        operationType: 'replace',
        record: {
          recordName: 'CD_Habit_h1',
          recordChangeTag: saved.recordChangeTag,
          fields: { CD_name: { value: 'Only', type: 'STRING' } },
        },
      },
      { operationType: 'forceUpdate', record: habit('h2') },
      { operationType: 'forceReplace', record: habit('h3') },
    ]);
    const [h1, h2, h3] = replaced.body.records;
    expect(Object.keys(h1.fields)).toEqual(['CD_name']);
    expect(h1.created).toEqual(saved.created);
    expect([h2.recordName, h3.recordName]).toEqual(['CD_Habit_h2', 'CD_Habit_h3']);

    const deleted = await modify(sim, token, [
      { operationType: 'delete', record: { recordName: 'CD_Habit_h1', recordChangeTag: 'old' } },
    ]);
    expect(deleted.body.records[0].serverErrorCode).toBe('CONFLICT');
    const ok = await modify(
      sim,
      token,
      [
        {
          operationType: 'delete',
          record: { recordName: 'CD_Habit_h1', recordChangeTag: h1.recordChangeTag },
        },
        { operationType: 'forceDelete', record: { recordName: 'CD_Habit_h2' } },
        { operationType: 'forceDelete', record: { recordName: 'CD_Habit_h9' } },
      ],
      false,
    );
    expect(ok.body.records).toEqual([
      { recordName: 'CD_Habit_h1', deleted: true },
      { recordName: 'CD_Habit_h2', deleted: true },
      expect.objectContaining({ recordName: 'CD_Habit_h9', serverErrorCode: 'NOT_FOUND' }),
    ]);
  });

  it('applies nothing of a failed atomic batch, and each operation of a non-atomic one', async () => {
    const batch = [
      { operationType: 'create', record: habit('a') },
      { operationType: 'update', record: { recordName: 'CD_Habit_none', recordChangeTag: 'x' } },
    ];
    const atomic = await modify(sim, token, batch);
    expect(atomic.status).toBe(200);
    expect(atomic.body.records.map((r: Json) => r.serverErrorCode)).toEqual([
      'ATOMIC_ERROR',
      'NOT_FOUND',
    ]);
    const lookup = await ck(sim, 'records/lookup', token, {
      zoneID: ZONE,
      records: [{ recordName: 'CD_Habit_a' }],
    });
    expect(lookup.body.records[0].serverErrorCode).toBe('NOT_FOUND');

    const separate = await modify(sim, token, batch, false);
    expect(separate.body.records[0]).toMatchObject({
      recordName: 'CD_Habit_a',
      recordType: 'CD_Habit',
    });
    expect(separate.body.records[1].serverErrorCode).toBe('NOT_FOUND');
  });

  it('lets later operations of a batch see earlier ones', async () => {
    const answer = await modify(sim, token, [
      { operationType: 'create', record: habit('a') },
      { operationType: 'forceUpdate', record: { recordName: 'CD_Habit_a', fields: {} } },
      { operationType: 'forceDelete', record: { recordName: 'CD_Habit_a' } },
    ]);
    expect(answer.body.records[2]).toEqual({ recordName: 'CD_Habit_a', deleted: true });
  });

  it('takes 200 operations and refuses 201', async () => {
    const ops = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        operationType: 'forceReplace',
        record: habit(`${prefix}${i}`),
      }));
    const full = await modify(sim, token, ops(200, 'a'));
    expect(full.status).toBe(200);
    expect(full.body.records).toHaveLength(200);
    const over = await modify(sim, token, ops(201, 'b'));
    expect(over.status).toBe(400);
    expect(over.body.serverErrorCode).toBe('BAD_REQUEST');
    expect((await admin(sim, 'GET', 'users')).users[0].records).toBe(200);
  });
});

describe('records/lookup and records/query', () => {
  it('returns found records and NOT_FOUND entries in request order', async () => {
    const sim = await simulator();
    const token = await userWithToken(sim, 'u1');
    await admin(sim, 'PUT', 'users/u1/records', { records: [habit('a'), habit('b')] });
    const answer = await ck(sim, 'records/lookup', token, {
      zoneID: ZONE,
      records: [{ recordName: 'CD_Habit_b' }, { recordName: 'CD_Habit_x' }],
    });
    expect(answer.body.records).toEqual([
      expect.objectContaining({ recordName: 'CD_Habit_b', recordType: 'CD_Habit' }),
      {
        recordName: 'CD_Habit_x',
        reason: expect.any(String),
        serverErrorCode: 'NOT_FOUND',
        uuid: expect.any(String),
      },
    ]);
  });

  it('queries by record type with EQUALS filters and continuation markers', async () => {
    const sim = await simulator();
    const token = await userWithToken(sim, 'u1');
    const flagged = { CD_archived: { value: 1, type: 'INT64' } };
    await admin(sim, 'PUT', 'users/u1/records', {
      records: [habit('c', flagged), habit('a', flagged), habit('b')],
    });
    const query = { recordType: 'CD_Habit' };
    const page1 = await ck(sim, 'records/query', token, { zoneID: ZONE, query, resultsLimit: 2 });
    expect(page1.body.records.map((r: Json) => r.recordName)).toEqual(['CD_Habit_a', 'CD_Habit_b']);
    const page2 = await ck(sim, 'records/query', token, {
      zoneID: ZONE,
      query,
      continuationMarker: page1.body.continuationMarker,
    });
    expect(page2.body).toEqual({
      records: [expect.objectContaining({ recordName: 'CD_Habit_c' })],
    });
    const filtered = await ck(sim, 'records/query', token, {
      zoneID: ZONE,
      query: {
        ...query,
        filterBy: [{ comparator: 'EQUALS', fieldName: 'CD_archived', fieldValue: { value: 1 } }],
      },
    });
    expect(filtered.body.records.map((r: Json) => r.recordName)).toEqual([
      'CD_Habit_a',
      'CD_Habit_c',
    ]);
  });
});

describe('web auth tokens', () => {
  it('requires the API token and a web auth token minted for a user', async () => {
    const sim = await simulator();
    const token = await userWithToken(sim, 'u1');
    const body = { zoneID: ZONE };
    const cases = [
      `${PRIVATE}/records/changes`,
      privatePath('records/changes', token, 'wrong-api-token'),
      privatePath('records/changes', 'forged.token'),
      `${PRIVATE}/records/changes?ckAPIToken=sim-api-token`,
    ];
    for (const path of cases) {
      const answer = await call(sim, 'POST', path, body);
      expect(answer.status).toBe(421);
      expect(answer.body).toMatchObject({
        serverErrorCode: 'AUTHENTICATION_REQUIRED',
        uuid: expect.any(String),
        reason: expect.any(String),
      });
    }
    expect((await ck(sim, 'records/changes', token, body)).status).toBe(200);
  });

  it('stops accepting tokens expired by the admin API or by their time to live', async () => {
    const sim = await simulator({ tokenTtlMs: 300 });
    const token = await userWithToken(sim, 'u1');
    const other = await userWithToken(sim, 'u2');
    await admin(sim, 'POST', 'tokens/expire', { uid: 'u1' });
    expect((await ck(sim, 'records/changes', token, { zoneID: ZONE })).status).toBe(421);
    expect((await ck(sim, 'records/changes', other, { zoneID: ZONE })).status).toBe(200);

    const fresh = (await admin(sim, 'POST', 'tokens', { uid: 'u1' })).webAuthToken;
    expect((await ck(sim, 'records/changes', fresh, { zoneID: ZONE })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await ck(sim, 'records/changes', fresh, { zoneID: ZONE })).status).toBe(421);

    const again = (await admin(sim, 'POST', 'tokens', { uid: 'u2' })).webAuthToken;
    await admin(sim, 'POST', 'tokens/expire', {});
    expect((await ck(sim, 'records/changes', again, { zoneID: ZONE })).status).toBe(421);
  });

  it('in rotating mode hands out a new token with each success and retires the used one', async () => {
    const sim = await simulator({ tokenMode: 'rotating' });
    const first = await userWithToken(sim, 'u1');
    const answer = await ck(sim, 'records/changes', first, { zoneID: ZONE });
    expect(answer.status).toBe(200);
    const second = answer.headers.get('X-Apple-CloudKit-Web-Auth-Token');
    expect(second).toEqual(expect.any(String));
    expect(second).not.toBe(first);
    expect((await ck(sim, 'records/changes', first, { zoneID: ZONE })).status).toBe(421);

    // A refused call (bad zone) does not spend the token.
    const refused = await ck(sim, 'records/changes', second!, { zoneID: { zoneName: 'x' } });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('X-Apple-CloudKit-Web-Auth-Token')).toBeNull();
    expect((await ck(sim, 'records/changes', second!, { zoneID: ZONE })).status).toBe(200);
  });

  it('omits the token header in reusable mode, where the token keeps working', async () => {
    const sim = await simulator();
    const token = await userWithToken(sim, 'u1');
    for (let i = 0; i < 3; i += 1) {
      const answer = await ck(sim, 'records/changes', token, { zoneID: ZONE });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('X-Apple-CloudKit-Web-Auth-Token')).toBeNull();
    }
  });

  it('makes a token minted rotating single use in a reusable simulator, and its successors too', async () => {
    const sim = await simulator();
    await admin(sim, 'POST', 'users', { uid: 'u1' });
    const first = (await admin(sim, 'POST', 'tokens', { uid: 'u1', mode: 'rotating' }))
      .webAuthToken;
    const answer = await ck(sim, 'records/changes', first, { zoneID: ZONE });
    expect(answer.status).toBe(200);
    const second = answer.headers.get('X-Apple-CloudKit-Web-Auth-Token');
    expect(second).toEqual(expect.any(String));
    expect((await ck(sim, 'records/changes', first, { zoneID: ZONE })).status).toBe(421);

    const refused = await ck(sim, 'records/changes', second!, { zoneID: { zoneName: 'x' } });
    expect(refused.status).toBe(404);
    const used = await ck(sim, 'records/changes', second!, { zoneID: ZONE });
    expect(used.status).toBe(200);
    expect(used.headers.get('X-Apple-CloudKit-Web-Auth-Token')).toEqual(expect.any(String));
    expect((await ck(sim, 'records/changes', second!, { zoneID: ZONE })).status).toBe(421);

    // Tokens minted without a mode still follow the simulator's.
    const plain = (await admin(sim, 'POST', 'tokens', { uid: 'u1' })).webAuthToken;
    for (let i = 0; i < 2; i += 1) {
      const reused = await ck(sim, 'records/changes', plain, { zoneID: ZONE });
      expect(reused.status).toBe(200);
      expect(reused.headers.get('X-Apple-CloudKit-Web-Auth-Token')).toBeNull();
    }
  });

  it('keeps a token minted reusable working in a rotating simulator', async () => {
    const sim = await simulator({ tokenMode: 'rotating' });
    await admin(sim, 'POST', 'users', { uid: 'u1' });
    const token = (await admin(sim, 'POST', 'tokens', { uid: 'u1', mode: 'reusable' }))
      .webAuthToken;
    for (let i = 0; i < 3; i += 1) {
      const answer = await ck(sim, 'records/changes', token, { zoneID: ZONE });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('X-Apple-CloudKit-Web-Auth-Token')).toBeNull();
    }
    const plain = (await admin(sim, 'POST', 'tokens', { uid: 'u1' })).webAuthToken;
    expect((await ck(sim, 'records/changes', plain, { zoneID: ZONE })).status).toBe(200);
    expect((await ck(sim, 'records/changes', plain, { zoneID: ZONE })).status).toBe(421);
  });

  it('refuses a token mode it does not know', async () => {
    const sim = await simulator();
    await admin(sim, 'POST', 'users', { uid: 'u1' });
    for (const mode of ['single', 1, true]) {
      const answer = await call(sim, 'POST', '/__sim/tokens', { uid: 'u1', mode });
      expect(answer.status).toBe(400);
      expect(answer.body.serverErrorCode).toBe('BAD_REQUEST');
    }
  });
});

describe('server-to-server signed public query', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  function signedHeaders(
    body: string,
    subpath = PUBLIC_QUERY,
    opts: { date?: string; key?: KeyObject; keyId?: string } = {},
  ): Record<string, string> {
    const date = opts.date ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const hash = createHash('sha256').update(body).digest('base64');
    const signed = Buffer.from(`${date}:${hash}:${subpath}`);
    return {
      'X-Apple-CloudKit-Request-KeyID': opts.keyId ?? 'key-1',
      'X-Apple-CloudKit-Request-ISO8601Date': date,
      'X-Apple-CloudKit-Request-SignatureV1': sign(
        'sha256',
        signed,
        opts.key ?? keys.privateKey,
      ).toString('base64'),
    };
  }

  async function query(
    sim: RunningSimulator,
    body: Json,
    headers = signedHeaders(JSON.stringify(body)),
  ) {
    const response = await fetch(`${sim.url}${PUBLIC_QUERY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  it('pages AppUser records by firebaseUid for a correctly signed request', async () => {
    const sim = await simulator({ serverKeys: [{ keyId: 'key-1', publicKeyPem }] });
    for (const uid of ['carol', 'alice', 'bob']) await admin(sim, 'POST', 'users', { uid });
    const body = { query: { recordType: 'AppUser' }, resultsLimit: 2 };
    const first = await query(sim, body);
    expect(first.status).toBe(200);
    const uids = (r: Json) => r.records.map((rec: Json) => rec.fields.firebaseUid.value);
    expect(uids(first.body)).toEqual(['alice', 'bob']);
    expect(first.body.records[0].fields.userRecordName).toEqual({
      value: expect.stringMatching(/^_/),
      type: 'STRING',
    });
    const second = await query(sim, { ...body, continuationMarker: first.body.continuationMarker });
    expect(uids(second.body)).toEqual(['carol']);
    expect(second.body.continuationMarker).toBeUndefined();
  });

  it('signs the path without the query string', async () => {
    const sim = await simulator({ serverKeys: [{ keyId: 'key-1', publicKeyPem }] });
    const body = JSON.stringify({ query: { recordType: 'AppUser' } });
    const response = await fetch(`${sim.url}${PUBLIC_QUERY}?ckAPIToken=x`, {
      method: 'POST',
      headers: signedHeaders(body),
      body,
    });
    expect(response.status).toBe(200);
  });

  it('refuses missing, forged, foreign-key, unknown-key and stale signatures', async () => {
    const sim = await simulator({ serverKeys: [{ keyId: 'key-1', publicKeyPem }] });
    const body = { query: { recordType: 'AppUser' } };
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const stale = new Date(Date.now() - 11 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const withMillis = new Date().toISOString();
    const cases: Array<Record<string, string>> = [
      {},
      signedHeaders(JSON.stringify({ ...body, resultsLimit: 1 })),
      signedHeaders(JSON.stringify(body), '/database/1/other/path'),
      signedHeaders(JSON.stringify(body), PUBLIC_QUERY, { key: other }),
      signedHeaders(JSON.stringify(body), PUBLIC_QUERY, { keyId: 'key-2' }),
      signedHeaders(JSON.stringify(body), PUBLIC_QUERY, { date: stale }),
      signedHeaders(JSON.stringify(body), PUBLIC_QUERY, { date: withMillis }),
      { ...signedHeaders(JSON.stringify(body)), 'X-Apple-CloudKit-Request-SignatureV1': 'AAAA' },
    ];
    for (const headers of cases) {
      const answer = await query(sim, body, headers);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({
        serverErrorCode: 'AUTHENTICATION_FAILED',
        reason: expect.any(String),
        uuid: expect.any(String),
      });
    }
  });
});

describe('faults', () => {
  let sim: RunningSimulator;
  let token: string;
  // Rotating mode: follow the token each success hands back, as a real client must.
  const send = async (op: string, body: unknown) => {
    const answer = await ck(sim, op, token, body);
    token = answer.headers.get('X-Apple-CloudKit-Web-Auth-Token') ?? token;
    return answer;
  };
  const changes = () => send('records/changes', { zoneID: ZONE });
  beforeEach(async () => {
    sim = await simulator({ tokenMode: 'rotating' });
    token = await userWithToken(sim, 'u1');
  });

  it('throttles with retryAfter for the next N requests, without spending the token', async () => {
    await admin(sim, 'POST', 'faults', { kind: 'throttle', retryAfter: 7, count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const answer = await changes();
      expect(answer.status).toBe(429);
      expect(answer.body).toMatchObject({ serverErrorCode: 'THROTTLED', retryAfter: 7 });
      expect(answer.body.uuid).toEqual(expect.any(String));
    }
    expect((await changes()).status).toBe(200);
  });

  it('answers 503 TRY_AGAIN_LATER and 500 INTERNAL_ERROR', async () => {
    await admin(sim, 'POST', 'faults', { kind: 'unavailable', retryAfter: 3 });
    await admin(sim, 'POST', 'faults', { kind: 'http500' });
    const unavailable = await changes();
    expect(unavailable.status).toBe(503);
    expect(unavailable.body).toMatchObject({ serverErrorCode: 'TRY_AGAIN_LATER', retryAfter: 3 });
    const broken = await changes();
    expect(broken.status).toBe(500);
    expect(broken.body.serverErrorCode).toBe('INTERNAL_ERROR');
    expect(broken.body.retryAfter).toBeUndefined();
    expect((await changes()).status).toBe(200);
  });

  it('delays an answer', async () => {
    await admin(sim, 'POST', 'faults', { kind: 'delay', delayMs: 300 });
    const started = Date.now();
    expect((await changes()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('drops a delayed request whose client gave up, so a timed-out write is never applied', async () => {
    await admin(sim, 'POST', 'faults', { kind: 'delay', delayMs: 300 });
    const body = { zoneID: ZONE, operations: [{ operationType: 'create', record: habit('late') }] };
    const request = fetch(`${sim.url}${privatePath('records/modify', token)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(50),
    });
    await expect(request).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await admin(sim, 'GET', 'users')).users[0].records).toBe(0);
    // Neither was the token spent by the abandoned request.
    expect((await changes()).status).toBe(200);
  });

  it('resets the connection without an answer', async () => {
    await admin(sim, 'POST', 'faults', { kind: 'reset' });
    await expect(changes()).rejects.toThrow();
    expect((await changes()).status).toBe(200);
  });

  it('hits only paths containing pathContains, and never admin calls', async () => {
    await admin(sim, 'POST', 'faults', { kind: 'http500', pathContains: 'records/lookup' });
    expect((await admin(sim, 'GET', 'users')).users).toHaveLength(1);
    expect((await changes()).status).toBe(200);
    const lookup = () => send('records/lookup', { zoneID: ZONE, records: [{ recordName: 'x' }] });
    expect((await lookup()).status).toBe(500);
    expect((await lookup()).status).toBe(200);
  });

  it('hits only the user a uid names, telling users apart without spending their tokens', async () => {
    const other = await userWithToken(sim, 'u2');
    const asU2 = (webAuthToken: string) =>
      ck(sim, 'records/changes', webAuthToken, { zoneID: ZONE });
    await admin(sim, 'POST', 'faults', { kind: 'throttle', uid: 'u2', count: 2 });
    expect((await changes()).status).toBe(200);
    // Without a valid token there is no user to match: the fault waits for u2.
    expect((await asU2('forged.token')).status).toBe(421);

    for (let i = 0; i < 2; i += 1) {
      const throttled = await asU2(other);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('X-Apple-CloudKit-Web-Auth-Token')).toBeNull();
      expect((await changes()).status).toBe(200);
    }
    const served = await asU2(other);
    expect(served.status).toBe(200);
    const next = served.headers.get('X-Apple-CloudKit-Web-Auth-Token')!;

    // A spent token is no longer u2's either.
    await admin(sim, 'POST', 'faults', { kind: 'http500', uid: 'u2' });
    expect((await asU2(other)).status).toBe(421);
    expect((await asU2(next)).status).toBe(500);
    expect((await asU2(next)).status).toBe(200);
  });

  it('hits only lookups and modifies naming the record a recordName names', async () => {
    await admin(sim, 'POST', 'faults', { kind: 'http500', recordName: 'CD_Habit_a', count: 2 });
    const lookup = (...names: string[]) =>
      send('records/lookup', {
        zoneID: ZONE,
        records: names.map((recordName) => ({ recordName })),
      });
    const save = (...names: string[]) =>
      send('records/modify', {
        zoneID: ZONE,
        operations: names.map((name) => ({ operationType: 'forceReplace', record: habit(name) })),
      });

    expect((await changes()).status).toBe(200);
    expect((await lookup('CD_Habit_b')).status).toBe(200);
    expect((await save('b')).status).toBe(200);
    expect((await lookup('CD_Habit_b', 'CD_Habit_a')).status).toBe(500);
    expect((await save('c', 'a')).status).toBe(500);
    expect((await admin(sim, 'GET', 'users')).users[0].records).toBe(1);

    expect((await save('a')).status).toBe(200);
    expect((await lookup('CD_Habit_a')).status).toBe(200);
  });

  it('refuses a uid or recordName that is not a string', async () => {
    const cases = [
      { kind: 'throttle', uid: 7 },
      { kind: 'throttle', recordName: ['CD_Habit_a'] },
      { kind: 'throttle', uid: '' },
      { kind: 'corrupt', recordName: { name: 'CD_Habit_a' } },
      { kind: 'corrupt', recordName: 'CD_Habit_a', uid: 'u1' },
    ];
    for (const fault of cases) {
      const answer = await call(sim, 'POST', '/__sim/faults', fault);
      expect(answer.status).toBe(400);
      expect(answer.body.serverErrorCode).toBe('BAD_REQUEST');
    }
    expect((await changes()).status).toBe(200);
  });

  it('is cleared by DELETE /__sim/faults', async () => {
    await admin(sim, 'POST', 'faults', { kind: 'throttle', count: 5 });
    await admin(sim, 'DELETE', 'faults');
    expect((await changes()).status).toBe(200);
  });

  it('serves a corrupt record with a wrongly typed field until cleared', async () => {
    const reusableSim = await simulator();
    const reusable = await userWithToken(reusableSim, 'u1');
    const [data] = generateDemoData({ users: 1, days: 5 });
    const completion = data.records.find((r) => r.recordType === 'CD_Completion') as CkRecord;
    await admin(reusableSim, 'PUT', 'users/u1/records', { records: [completion] });
    await admin(reusableSim, 'POST', 'faults', {
      kind: 'corrupt',
      recordName: completion.recordName,
    });
    const read = async () =>
      (
        await ck(reusableSim, 'records/lookup', reusable, {
          zoneID: ZONE,
          records: [{ recordName: completion.recordName }],
        })
      ).body.records[0];
    expect((await read()).fields.CD_count).toEqual({ value: 'abc', type: 'STRING' });
    const { names } = await readAllChanges(reusableSim, reusable);
    expect(names).toEqual([completion.recordName]);
    const raw = (await admin(reusableSim, 'GET', 'users/u1/records')).records[0];
    expect(raw.fields.CD_count).toEqual(completion.fields.CD_count);

    await admin(reusableSim, 'DELETE', 'faults');
    expect((await read()).fields.CD_count).toEqual(completion.fields.CD_count);
  });
});

describe('admin API', () => {
  it('seeds, keeps data across restarts, and wipes everything on reset', async () => {
    const dataFile = join(tempDir, 'admin.json');
    const sim = await simulator({ dataFile });
    const { added } = await admin(sim, 'POST', 'seed', { users: 3, days: 10, seed: 9 });
    expect(added).toEqual(['demo-user-001', 'demo-user-002', 'demo-user-003']);
    const token = (await admin(sim, 'POST', 'tokens', { uid: 'demo-user-002' })).webAuthToken;
    await sim.close();

    const again = await simulator({ dataFile, seed: { users: 5, days: 10 } });
    // A seed option only fills an empty store.
    expect((await admin(again, 'GET', 'users')).users).toHaveLength(3);
    expect((await ck(again, 'records/changes', token, { zoneID: ZONE })).status).toBe(200);

    await admin(again, 'POST', 'reset');
    expect((await admin(again, 'GET', 'users')).users).toEqual([]);
    await admin(again, 'POST', 'users', { uid: 'demo-user-002' });
    expect((await ck(again, 'records/changes', token, { zoneID: ZONE })).status).toBe(421);
    expect(existsSync(dataFile)).toBe(true);
  });

  it('answers unknown users and endpoints with 404', async () => {
    const sim = await simulator();
    expect((await call(sim, 'POST', '/__sim/tokens', { uid: 'ghost' })).status).toBe(404);
    expect((await call(sim, 'GET', '/__sim/users/ghost/records')).status).toBe(404);
    expect((await call(sim, 'GET', '/__sim/nothing')).status).toBe(404);
  });
});

describe('generateDemoData', () => {
  const unwrap = (record: CkRecord) =>
    Object.fromEntries(Object.entries(record.fields).map(([k, v]) => [k, v.value]));
  const kinds: Record<string, keyof typeof legacyFieldSchemas> = {
    CD_Habit: 'habit',
    CD_Completion: 'completion',
    CD_XPEvent: 'xpEvent',
    CD_Streak: 'streak',
  };

  it('is deterministic for a seed, and differs between seeds', () => {
    const a = generateDemoData({ users: 4, days: 20, seed: 11 });
    expect(generateDemoData({ users: 4, days: 20, seed: 11 })).toEqual(a);
    expect(generateDemoData({ users: 4, days: 20, seed: 12 })).not.toEqual(a);
    // Adding users leaves the earlier ones as they were.
    expect(generateDemoData({ users: 6, days: 20, seed: 11 }).slice(0, 4)).toEqual(a);
    expect(a.map((u) => u.uid)).toEqual([
      'demo-user-001',
      'demo-user-002',
      'demo-user-003',
      'demo-user-004',
    ]);
  });

  it('writes exactly the legacy schema fields, with consistent names and references', () => {
    const users = generateDemoData({ users: 6, days: 30, seed: 5 });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const user of users) {
      const byName = new Map(user.records.map((r) => [r.recordName, r]));
      const names = new Set(byName.keys());
      expect(names.size).toBe(user.records.length);
      const habits = user.records.filter((r) => r.recordType === 'CD_Habit');
      expect(habits.length).toBeGreaterThanOrEqual(2);
      expect(habits.length).toBeLessThanOrEqual(6);
      for (const record of user.records) {
        const fields = unwrap(record);
        expect(() =>
          legacyFieldSchemas[kinds[record.recordType]].strict().parse(fields),
        ).not.toThrow();
        if (record.recordType === 'CD_Habit') {
          expect(fields.CD_id).toMatch(uuid);
          expect(record.recordName).toBe(`CD_Habit_${fields.CD_id}`);
        }
        if (record.recordType === 'CD_Completion') {
          expect(record.recordName).toBe(`CD_Completion_${fields.CD_id}`);
          expect(names.has(fields.CD_habit as string)).toBe(true);
          expect(fields.CD_id).toBe(`${(fields.CD_habit as string).slice(9)}_${fields.CD_date}`);
        }
        if (record.recordType === 'CD_XPEvent') {
          const completion = byName.get(fields.CD_completion as string)!;
          expect(fields.CD_amount).toBe(10 * (completion.fields.CD_count.value as number));
          expect(record.recordName).toBe(`CD_XPEvent_${fields.CD_id}`);
        }
      }
      const streaks = user.records.filter((r) => r.recordType === 'CD_Streak');
      expect(streaks.map((s) => s.recordName).sort()).toEqual(
        habits.map((h) => `CD_Streak_${unwrap(h).CD_id}`).sort(),
      );
    }
    const all = users.flatMap((u) => u.records.map(unwrap));
    const habitFields = all.filter((f) => f.CD_entityName === 'Habit');
    expect(new Set(habitFields.map((f) => f.CD_scheduleType))).toEqual(
      new Set(['daily', 'weekly', 'timesPerWeek']),
    );
    expect(habitFields.some((f) => f.CD_archived === 1)).toBe(true);
    expect(habitFields.some((f) => (f.CD_targetPerDay as number) > 1)).toBe(true);
    expect(all.some((f) => f.CD_entityName === 'Completion' && f.CD_note)).toBe(true);
    // The first user of every five is the heavy one.
    expect(users[0].records.length).toBeGreaterThan(3 * users[1].records.length);
  });
});
