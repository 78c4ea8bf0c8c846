import {
  type LegacyReadBounds,
  LegacyReadFallback,
} from '../../../functions/src/data/legacyReadFallback';
import type { LegacyRecord } from '../../../functions/src/data/legacy/legacyRecords';
import { CountingStore, feedOf } from './support/legacyFeed';

const bounds: LegacyReadBounds = {
  pageSize: 50,
  maxPages: 2,
  cacheTtlMs: 60_000,
  cacheEntries: 10,
};

function setUp(feed: LegacyRecord[], deleted: string[] = []) {
  const store = new CountingStore(feed);
  let now = 1_000;
  const clock = { now: () => now };
  const fallback = new LegacyReadFallback(store, async () => new Set(deleted), bounds, clock);
  return { store, fallback, advance: (ms: number) => (now += ms) };
}

describe('LegacyReadFallback: bounded reads', () => {
  it('reads at most maxPages pages of a long history, and says the answer is partial', async () => {
    const { store, fallback } = setUp(feedOf(100)); // 1,100 records
    const read = await fallback.snapshot('u1');
    expect(store.calls).toBe(2);
    expect(read).toMatchObject({ cached: false, partial: true, value: { partial: true } });
    // 100 records: 10 habits (one each 11) and 90 XP events of 10.
    expect(read.value.habits).toHaveLength(10);
    expect(read.value.xpTotal).toBe(900);
  });

  it('reads a short history whole, and does not call it partial', async () => {
    const { store, fallback } = setUp(feedOf(5)); // 55 records
    const read = await fallback.snapshot('u1');
    expect(store.calls).toBe(2);
    expect(read.partial).toBe(false);
    expect(read.value.partial).toBeUndefined();
    expect(read.value.xpTotal).toBe(500);
  });

  it('pages habits-list through the whole store, each page within the bound', async () => {
    const { store, fallback } = setUp(feedOf(100));
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const before = store.calls;
      const read = await fallback.habitPage('u1', { limit: 4, pageToken });
      expect(store.calls - before).toBeLessThanOrEqual(bounds.maxPages);
      seen.push(...read.value.habits.map((h) => h.id));
      pageToken = read.value.nextPageToken;
      pages += 1;
    } while (pageToken && pages < 100);
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    // 11 windows of 100 records: the last page of each window but the last points on.
    expect(store.calls).toBe(22);
  });
});

describe('LegacyReadFallback: per-instance cache', () => {
  it('answers again within the TTL without a CloudKit call, and reads afresh after it', async () => {
    const { store, fallback, advance } = setUp(feedOf(100));
    const first = await fallback.snapshot('u1');
    const callsAfterFirst = store.calls;

    const again = await fallback.snapshot('u1');
    const list = await fallback.habitPage('u1', { limit: 50 });
    const one = await fallback.habit('u1', 'h0003');
    expect(store.calls).toBe(callsAfterFirst);
    expect(again).toEqual({ ...first, cached: true });
    expect(list.cached).toBe(true);
    expect(one).toMatchObject({ cached: true, value: { id: 'h0003' } });

    advance(bounds.cacheTtlMs + 1);
    expect((await fallback.snapshot('u1')).cached).toBe(false);
    expect(store.calls).toBe(callsAfterFirst + 2);
  });

  it('keeps users apart', async () => {
    const { store, fallback } = setUp(feedOf(3));
    await fallback.snapshot('u1');
    await fallback.snapshot('u2');
    expect(store.calls).toBe(2);
  });

  it('shares one CloudKit read between concurrent requests of one user', async () => {
    const { store, fallback } = setUp(feedOf(100));
    const reads = await Promise.all([fallback.snapshot('u1'), fallback.snapshot('u1')]);
    expect(store.calls).toBe(2);
    expect(reads[1].value).toEqual(reads[0].value);
  });

  it('caches a habit lookup beyond the first window', async () => {
    const { store, fallback } = setUp(feedOf(100));
    await fallback.snapshot('u1');
    const before = store.calls;
    expect((await fallback.habit('u1', 'h0099')).value?.id).toBe('h0099');
    expect((await fallback.habit('u1', 'h0099')).cached).toBe(true);
    expect((await fallback.habit('u1', 'nope')).value).toBeUndefined();
    expect((await fallback.habit('u1', 'nope')).cached).toBe(true);
    expect(store.calls).toBe(before + 2);
  });

  it('keeps neither a failure nor a user awaiting a link', async () => {
    const { store, fallback } = setUp(feedOf(3));
    store.failing = true;
    await expect(fallback.snapshot('u1')).rejects.toThrow('CloudKit down');
    store.failing = false;
    store.linked = false;
    expect((await fallback.snapshot('u1')).value.habits).toEqual([]);
    store.linked = true;
    const linked = await fallback.snapshot('u1');
    expect(linked).toMatchObject({ cached: false });
    expect(linked.value.habits).toHaveLength(3);
  });

  it('applies deletions made through the API to cached data at once', async () => {
    const deleted: string[] = [];
    const store = new CountingStore(feedOf(3));
    const fallback = new LegacyReadFallback(store, async () => new Set(deleted), bounds);
    expect((await fallback.snapshot('u1')).value.habits).toHaveLength(3);
    deleted.push('h0001');
    const after = await fallback.snapshot('u1');
    expect(after.cached).toBe(true);
    expect(after.value.habits.map((h) => h.id)).toEqual(['h0000', 'h0002']);
    expect((await fallback.habit('u1', 'h0001')).value).toBeUndefined();
  });
});
