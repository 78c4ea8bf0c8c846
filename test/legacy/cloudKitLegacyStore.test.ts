import { LegacyRejectedError } from '../../functions/src/data/legacy/legacyErrors';
import { isAwaitingLink } from '../../functions/src/data/legacy/legacyStore';
import { describeLegacyStoreContract } from './legacyStore.contract';
import { habitFields, habitRecord, manyRecords } from './support/ckFixtures';
import { type CloudKitHarness, startCloudKitHarness } from './support/cloudKitHarness';

describeLegacyStoreContract('CloudKitLegacyStore on the simulator', () => startCloudKitHarness());

/** What only CloudKit has: server-key signatures, rotating tokens, its request limits. */
describe('CloudKitLegacyStore specifics', () => {
  let h: CloudKitHarness | undefined;

  afterEach(async () => {
    jest.restoreAllMocks();
    await h?.close();
    h = undefined;
  });

  /** The CloudKit requests made during `run`, by operation path and body. */
  async function recordRequests(run: () => Promise<unknown>) {
    const requests: Array<{ path: string; body: Record<string, unknown> }> = [];
    const realFetch = globalThis.fetch;
    jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.startsWith('/database/')) {
        requests.push({ path: url.pathname, body: JSON.parse(String(init?.body ?? '{}')) });
      }
      return realFetch(input, init);
    });
    await run();
    return requests;
  }

  it('refuses listUsers signed with an unknown key as LegacyRejectedError, without retrying', async () => {
    h = await startCloudKitHarness({ wrongServerKey: true });
    await h.addUser('u1');
    const error = await h.store.listUsers(undefined, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyRejectedError);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', retryable: false });
    expect(h.waits).toEqual([]);
  });

  it('keeps the rotated token each response brings, so single-use tokens keep working', async () => {
    h = await startCloudKitHarness({ tokenMode: 'rotating' });
    await h.addUser('u1');
    await h.putRecords('u1', manyRecords(450));
    const linked = await h.tokens.get('u1');

    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await h.store.readChanges('u1', cursor, 200);
      if (isAwaitingLink(page)) throw new Error('token was not carried over');
      pages += 1;
      cursor = page.cursor;
      if (!page.moreComing) break;
    }
    expect(pages).toBe(3);
    expect(h.tokens.replaced.map((r) => r.uid)).toEqual(['u1', 'u1', 'u1']);
    expect(new Set(h.tokens.replaced.map((r) => r.token)).size).toBe(3);
    expect(await h.tokens.get('u1')).toBe(h.tokens.replaced[2].token);
    expect(await h.tokens.get('u1')).not.toBe(linked);
  });

  it('sends at most 200 operations per records/modify, and never atomically', async () => {
    h = await startCloudKitHarness();
    await h.addUser('u1');
    const writes = Array.from({ length: 450 }, (_, i) => ({
      op: 'upsert' as const,
      kind: 'habit' as const,
      recordName: `CD_Habit_w${i}`,
      fields: habitFields(`w${i}`),
    }));
    const store = h.store;
    const requests = await recordRequests(() => store.write('u1', writes));
    const modifies = requests.filter((r) => r.path.endsWith('/private/records/modify'));
    expect(modifies.map((r) => (r.body.operations as unknown[]).length)).toEqual([200, 200, 50]);
    expect(modifies.every((r) => r.body.atomic === false)).toBe(true);
  });

  it('chooses the operation type by whether a change tag is known', async () => {
    h = await startCloudKitHarness();
    await h.addUser('u1');
    await h.putRecords('u1', [habitRecord('h1'), habitRecord('h2')]);
    const store = h.store;
    const requests = await recordRequests(() =>
      store.write('u1', [
        { op: 'upsert', kind: 'habit', recordName: 'CD_Habit_h1', fields: habitFields('h1') },
        {
          op: 'upsert',
          kind: 'habit',
          recordName: 'CD_Habit_h2',
          fields: habitFields('h2'),
          recordChangeTag: 'tag',
        },
        { op: 'delete', recordName: 'CD_Habit_h1' },
        { op: 'delete', recordName: 'CD_Habit_h2', recordChangeTag: 'tag' },
      ]),
    );
    const ops = requests[0].body.operations as Array<{
      operationType: string;
      record: { fields?: Record<string, { type: string }> };
    }>;
    expect(ops.map((o) => o.operationType)).toEqual([
      'forceReplace',
      'replace',
      'forceDelete',
      'delete',
    ]);
    expect(ops[0].record.fields).toMatchObject({
      CD_name: { type: 'STRING' },
      CD_targetPerDay: { type: 'INT64' },
      CD_createdAt: { type: 'TIMESTAMP' },
    });
  });

  it('asks for at most 200 records per page of records/changes', async () => {
    h = await startCloudKitHarness();
    await h.addUser('u1');
    const store = h.store;
    const requests = await recordRequests(() => store.readChanges('u1', null, 5_000));
    expect(requests).toHaveLength(1);
    expect(requests[0].body).toMatchObject({
      resultsLimit: 200,
      zoneID: { zoneName: 'com.apple.coredata.cloudkit.zone' },
    });
    expect(requests[0].body).not.toHaveProperty('syncToken');
  });

  it('makes no request at all for a user without a token', async () => {
    h = await startCloudKitHarness();
    const store = h.store;
    const requests = await recordRequests(() => store.readChanges('stranger', null, 10));
    expect(requests).toEqual([]);
  });
});
