import { logger } from 'firebase-functions/v2';
import {
  LegacyRejectedError,
  LegacyUnavailableError,
} from '../../functions/src/data/legacy/legacyErrors';
import type {
  InvalidLegacyRecord,
  LegacyDeletion,
  LegacyRecord,
} from '../../functions/src/data/legacy/legacyRecords';
import {
  type LegacyChangePage,
  type LegacyStore,
  type LegacyWrite,
  isAwaitingLink,
} from '../../functions/src/data/legacy/legacyStore';
import { completionRecord, habitFields, habitRecord, manyRecords } from './support/ckFixtures';
import type { LegacyStoreHarness } from './support/harness';

type Entry = LegacyRecord | LegacyDeletion | InvalidLegacyRecord;

async function page(
  store: LegacyStore,
  uid: string,
  cursor: string | null,
  limit: number,
): Promise<LegacyChangePage> {
  const result = await store.readChanges(uid, cursor, limit);
  if (isAwaitingLink(result)) throw new Error(`unexpected awaiting_link for ${uid}`);
  return result;
}

/** Pages until nothing more is coming (or `maxPages`), returning entries and the last cursor. */
async function readPages(
  store: LegacyStore,
  uid: string,
  cursor: string | null,
  limit: number,
  maxPages = Infinity,
): Promise<{ entries: Entry[]; cursor: string | null; done: boolean }> {
  const entries: Entry[] = [];
  for (let pages = 0; pages < maxPages; pages++) {
    const p = await page(store, uid, cursor, limit);
    expect(p.entries.length).toBeLessThanOrEqual(Math.min(limit, 200));
    entries.push(...p.entries);
    cursor = p.cursor;
    if (!p.moreComing) return { entries, cursor, done: true };
  }
  return { entries, cursor, done: false };
}

async function writeAll(store: LegacyStore, uid: string, writes: LegacyWrite[]) {
  const outcomes = await store.write(uid, writes);
  if (isAwaitingLink(outcomes)) throw new Error(`unexpected awaiting_link for ${uid}`);
  return outcomes;
}

async function lookupAll(store: LegacyStore, uid: string, names: string[]) {
  const result = await store.lookup(uid, names);
  if (isAwaitingLink(result)) throw new Error(`unexpected awaiting_link for ${uid}`);
  return result;
}

const upsertHabit = (id: string, recordChangeTag?: string): LegacyWrite => ({
  op: 'upsert',
  kind: 'habit',
  recordName: `CD_Habit_${id}`,
  fields: habitFields(id),
  ...(recordChangeTag ? { recordChangeTag } : {}),
});

/**
 * What every LegacyStore must do, whatever is behind it. Run it with a harness per implementation
 * (the CloudKit adapter against the simulator; a fake, should one be written, against itself).
 */
export function describeLegacyStoreContract(
  name: string,
  makeStore: () => Promise<LegacyStoreHarness>,
): void {
  describe(`LegacyStore contract: ${name}`, () => {
    let h: LegacyStoreHarness;

    beforeEach(async () => {
      h = await makeStore();
    });

    afterEach(async () => {
      await h.close();
    });

    describe('listUsers', () => {
      it('pages through every registered user exactly once', async () => {
        const uids = ['u-a', 'u-b', 'u-c', 'u-d', 'u-e'];
        for (const uid of uids) await h.addUser(uid);
        const seen: string[] = [];
        let token: string | undefined;
        do {
          const p = await h.store.listUsers(token, 2);
          expect(p.users.length).toBeLessThanOrEqual(2);
          for (const user of p.users) {
            expect(user.userRecordName).not.toBe('');
            seen.push(user.uid);
          }
          token = p.nextPageToken;
        } while (token);
        expect(seen.sort()).toEqual(uids);
      });
    });

    describe('readChanges', () => {
      it('returns typed records with their change tags and unwrapped fields', async () => {
        await h.addUser('u1');
        await h.putRecords('u1', [habitRecord('h1'), completionRecord('h1', 3)]);
        const { entries, done } = await readPages(h.store, 'u1', null, 50);
        expect(done).toBe(true);
        const habit = entries.find((e) => e.kind === 'habit');
        expect(habit).toMatchObject({
          kind: 'habit',
          recordName: 'CD_Habit_h1',
          fields: habitFields('h1'),
        });
        expect((habit as LegacyRecord).recordChangeTag).toEqual(expect.any(String));
        expect(entries.find((e) => e.kind === 'completion')).toMatchObject({
          fields: { CD_habit: 'CD_Habit_h1', CD_count: 1 },
        });
      });

      it('pages over 5,000 records and resumes from a saved cursor after a restart', async () => {
        await h.addUser('big');
        const records = manyRecords(5_200);
        for (let i = 0; i < records.length; i += 1_000) {
          await h.putRecords('big', records.slice(i, i + 1_000));
        }
        // Asking for more than a page still yields pages of at most 200.
        const first = await readPages(h.store, 'big', null, 500, 10);
        expect(first.done).toBe(false);
        expect(first.entries).toHaveLength(2_000);
        const saved = first.cursor;

        await h.restart();

        const rest = await readPages(h.store, 'big', saved, 200);
        expect(rest.done).toBe(true);
        const names = [...first.entries, ...rest.entries].map((e) => e.recordName);
        expect(names).toHaveLength(5_200);
        expect(new Set(names)).toEqual(new Set(records.map((r) => r.recordName)));
        expect([...first.entries, ...rest.entries].every((e) => e.kind !== 'invalid')).toBe(true);

        // Caught up: the last cursor yields nothing new.
        const after = await page(h.store, 'big', rest.cursor, 200);
        expect(after.entries).toEqual([]);
        expect(after.moreComing).toBe(false);
      });

      it('reports deletions since the cursor', async () => {
        await h.addUser('u1');
        await h.putRecords('u1', [habitRecord('h1'), habitRecord('h2')]);
        const { cursor } = await readPages(h.store, 'u1', null, 200);
        const outcomes = await writeAll(h.store, 'u1', [
          { op: 'delete', recordName: 'CD_Habit_h1' },
        ]);
        expect(outcomes).toEqual([expect.objectContaining({ status: 'ok' })]);
        const { entries } = await readPages(h.store, 'u1', cursor, 200);
        expect(entries).toEqual([{ kind: 'deleted', recordName: 'CD_Habit_h1' }]);
      });

      it('returns a corrupt record as invalid while the rest of the page is fine', async () => {
        await h.addUser('u1');
        await h.putRecords('u1', [habitRecord('h1'), habitRecord('h2'), habitRecord('h3')]);
        await h.injectFault({ kind: 'corrupt', recordName: 'CD_Habit_h2' });
        const { entries } = await readPages(h.store, 'u1', null, 200);
        const bad = entries.find((e) => e.recordName === 'CD_Habit_h2');
        expect(bad).toMatchObject({ kind: 'invalid', recordType: 'CD_Habit' });
        expect((bad as InvalidLegacyRecord).reason).toMatch(/CD_/);
        expect(entries.filter((e) => e.kind === 'habit').map((e) => e.recordName)).toEqual([
          'CD_Habit_h1',
          'CD_Habit_h3',
        ]);
      });

      it('returns records that do not fit the schema as invalid, with a readable reason', async () => {
        await h.addUser('u1');
        const nameless = { ...habitRecord('h1').fields };
        delete nameless.CD_name;
        await h.putRecords('u1', [
          { ...habitRecord('h1'), fields: nameless },
          { ...habitRecord('h2'), recordType: 'CD_Mystery', recordName: 'CD_Mystery_1' },
          habitRecord('h3'),
        ]);
        const { entries } = await readPages(h.store, 'u1', null, 200);
        expect(entries.find((e) => e.recordName === 'CD_Habit_h1')).toMatchObject({
          kind: 'invalid',
          reason: expect.stringContaining('CD_name'),
        });
        expect(entries.find((e) => e.recordName === 'CD_Mystery_1')).toMatchObject({
          kind: 'invalid',
          reason: expect.stringContaining('CD_Mystery'),
        });
        expect(entries.find((e) => e.recordName === 'CD_Habit_h3')).toMatchObject({
          kind: 'habit',
        });
      });

      it('rejects a cursor it never issued, without retrying', async () => {
        await h.addUser('u1');
        await expect(h.store.readChanges('u1', 'not-a-cursor', 10)).rejects.toBeInstanceOf(
          LegacyRejectedError,
        );
        expect(h.waits).toEqual([]);
      });
    });

    describe('lookup', () => {
      it('finds existing records and lists missing ones, beyond 200 names', async () => {
        await h.addUser('u1');
        const records = manyRecords(240);
        await h.putRecords('u1', records);
        const names = [...records.map((r) => r.recordName), 'CD_Habit_nope', 'CD_Habit_gone'];
        const result = await lookupAll(h.store, 'u1', names);
        expect(result.found).toHaveLength(240);
        expect(result.missing.sort()).toEqual(['CD_Habit_gone', 'CD_Habit_nope']);
      });
    });

    describe('write', () => {
      it('creates and replaces without a tag, and reads back what it wrote', async () => {
        await h.addUser('u1');
        const [created] = await writeAll(h.store, 'u1', [upsertHabit('h1')]);
        expect(created).toMatchObject({ status: 'ok', recordChangeTag: expect.any(String) });
        const { found } = await lookupAll(h.store, 'u1', ['CD_Habit_h1']);
        expect(found).toEqual([
          expect.objectContaining({ kind: 'habit', fields: habitFields('h1') }),
        ]);
      });

      it('reports a stale change tag as a conflict outcome, not a throw', async () => {
        await h.addUser('u1');
        await h.putRecords('u1', [habitRecord('h1'), habitRecord('h2')]);
        const { found } = await lookupAll(h.store, 'u1', ['CD_Habit_h1', 'CD_Habit_h2']);
        const tag1 = (found[0] as LegacyRecord).recordChangeTag;
        const tag2 = (found[1] as LegacyRecord).recordChangeTag;

        const [first] = await writeAll(h.store, 'u1', [upsertHabit('h1', tag1)]);
        expect(first).toMatchObject({ status: 'ok' });
        expect(first.status === 'ok' && first.recordChangeTag).not.toBe(tag1);

        const outcomes = await writeAll(h.store, 'u1', [
          upsertHabit('h1', tag1),
          upsertHabit('h2', tag2),
        ]);
        expect(outcomes).toEqual([
          expect.objectContaining({ recordName: 'CD_Habit_h1', status: 'conflict' }),
          expect.objectContaining({ recordName: 'CD_Habit_h2', status: 'ok' }),
        ]);
      });

      it('deletes with and without a tag, and reports a missing record as not_found', async () => {
        await h.addUser('u1');
        await h.putRecords('u1', [habitRecord('h1'), habitRecord('h2')]);
        const { found } = await lookupAll(h.store, 'u1', ['CD_Habit_h1']);
        const outcomes = await writeAll(h.store, 'u1', [
          {
            op: 'delete',
            recordName: 'CD_Habit_h1',
            recordChangeTag: (found[0] as LegacyRecord).recordChangeTag,
          },
          { op: 'delete', recordName: 'CD_Habit_h2' },
          { op: 'delete', recordName: 'CD_Habit_h3', recordChangeTag: 'whatever' },
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'not_found']);
        const after = await lookupAll(h.store, 'u1', ['CD_Habit_h1', 'CD_Habit_h2']);
        expect(after.missing.sort()).toEqual(['CD_Habit_h1', 'CD_Habit_h2']);
      });

      it('applies more than 200 writes, one outcome each, in order', async () => {
        await h.addUser('u1');
        const writes = Array.from({ length: 450 }, (_, i) => upsertHabit(`bulk${i}`));
        const outcomes = await writeAll(h.store, 'u1', writes);
        expect(outcomes.map((o) => o.recordName)).toEqual(writes.map((w) => w.recordName));
        expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
        const { found, missing } = await lookupAll(
          h.store,
          'u1',
          writes.map((w) => w.recordName),
        );
        expect(found).toHaveLength(450);
        expect(missing).toEqual([]);
      });
    });

    describe('transient failures', () => {
      it('waits out a throttle for at least retryAfter, then succeeds', async () => {
        await h.addUser('u1');
        await h.putRecords('u1', [habitRecord('h1')]);
        await h.injectFault({ kind: 'throttle', retryAfter: 7, count: 1 });
        const p = await page(h.store, 'u1', null, 10);
        expect(p.entries).toHaveLength(1);
        expect(Math.max(...h.waits)).toBeGreaterThanOrEqual(7_000);
      });

      it('retries a 5xx and an unavailable backend within the budget', async () => {
        await h.addUser('u1');
        await h.injectFault({ kind: 'http500', count: 1 });
        if (h.maxRetries > 1) {
          await h.injectFault({ kind: 'unavailable', count: h.maxRetries - 1 });
        }
        await expect(h.store.listUsers(undefined, 10)).resolves.toMatchObject({
          users: [expect.objectContaining({ uid: 'u1' })],
        });
      });

      it.each(['delay', 'reset'] as const)(
        'retries a %s up to maxRetries, then surfaces LegacyUnavailableError',
        async (kind) => {
          await h.addUser('u1');
          await h.putRecords('u1', [habitRecord('h1')]);
          const fault = { kind, delayMs: h.timeoutMs * 4 };

          // maxRetries failures in a row: the last allowed attempt succeeds.
          await h.injectFault({ ...fault, count: h.maxRetries });
          await expect(page(h.store, 'u1', null, 10)).resolves.toMatchObject({ kind: 'page' });

          // One more than that: every attempt fails, and the error says it may pass later.
          await h.injectFault({ ...fault, count: h.maxRetries + 1 });
          const error = await h.store.readChanges('u1', null, 10).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(LegacyUnavailableError);
          expect(error).toMatchObject({ retryable: true });

          // The failures were all consumed by this call's attempts, none left over.
          await expect(page(h.store, 'u1', null, 10)).resolves.toMatchObject({ kind: 'page' });
        },
      );
    });

    describe('web auth tokens', () => {
      it('turns a refused token into awaiting_link and forgets the token', async () => {
        await h.addUser('u1');
        await h.expireToken('u1');
        await expect(h.store.readChanges('u1', null, 10)).resolves.toEqual({
          kind: 'awaiting_link',
          uid: 'u1',
        });
        expect(h.tokens.invalidated).toContain('u1');
        await expect(h.tokens.get('u1')).resolves.toBeUndefined();
      });

      it('answers awaiting_link without calling the backend when it holds no token', async () => {
        await h.addUser('u1');
        const held = await h.tokens.get('u1');
        if (held) await h.tokens.invalidate('u1', held);
        // Were the backend called, these would fail every attempt.
        await h.injectFault({ kind: 'unavailable', count: 100 });
        const awaiting = { kind: 'awaiting_link', uid: 'u1' };
        await expect(h.store.readChanges('u1', null, 10)).resolves.toEqual(awaiting);
        await expect(h.store.lookup('u1', ['CD_Habit_h1'])).resolves.toEqual(awaiting);
        await expect(h.store.write('u1', [upsertHabit('h1')])).resolves.toEqual(awaiting);
        expect(h.waits).toEqual([]);
      });
    });

    describe('secrets', () => {
      it('never puts a token or key into an error message or a log line', async () => {
        const logged: string[] = [];
        const capture = (...args: unknown[]) => {
          logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        };
        const spies = [
          ...(['debug', 'log', 'info', 'warn', 'error', 'write'] as const).map((m) =>
            jest.spyOn(logger, m).mockImplementation(capture),
          ),
          ...(['debug', 'log', 'info', 'warn', 'error'] as const).map((m) =>
            jest.spyOn(console, m).mockImplementation(capture),
          ),
        ];
        const errors: unknown[] = [];
        const attempt = async (call: () => Promise<unknown>) => {
          try {
            await call();
          } catch (error) {
            errors.push(error);
          }
        };
        try {
          await h.addUser('u1');
          await h.injectFault({ kind: 'throttle', retryAfter: 1, count: 1 });
          await attempt(() => h.store.readChanges('u1', null, 10));
          await h.injectFault({ kind: 'reset', count: h.maxRetries + 1 });
          await attempt(() => h.store.readChanges('u1', null, 10));
          await h.injectFault({ kind: 'delay', delayMs: h.timeoutMs * 4, count: h.maxRetries + 1 });
          await attempt(() => h.store.listUsers(undefined, 10));
          await attempt(() => h.store.readChanges('u1', 'not-a-cursor', 10));
          await h.expireToken('u1');
          await attempt(() => h.store.write('u1', [upsertHabit('h1')]));
        } finally {
          spies.forEach((s) => s.mockRestore());
        }
        expect(errors.length).toBeGreaterThanOrEqual(3);
        expect(logged.length).toBeGreaterThan(0);

        const texts = [
          ...logged,
          ...errors.map((e) => {
            const err = e as Error;
            return `${err.message}\n${err.stack ?? ''}\n${JSON.stringify(err)}`;
          }),
        ];
        const secrets = [...h.secrets(), ...h.tokens.everSeen].flatMap(secretForms);
        expect(secrets.length).toBeGreaterThan(2);
        for (const text of texts) {
          for (const secret of secrets) expect(text).not.toContain(secret);
        }
      });
    });
  });
}

/** A secret and the pieces of it that could leak on their own (PEM lines, URL-encoded form). */
function secretForms(secret: string): string[] {
  if (secret.includes('-----BEGIN')) {
    return secret
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length >= 16 && !line.startsWith('-----'));
  }
  return [secret, encodeURIComponent(secret)];
}
