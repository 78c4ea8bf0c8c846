import { config } from '../../functions/src/config';
import { LegacyReadFallback } from '../../functions/src/data/legacyReadFallback';
import { manyRecords } from './support/ckFixtures';
import { type CloudKitHarness, startCloudKitHarness } from './support/cloudKitHarness';

/**
 * Fallback reads through the real CloudKit adapter against the simulator, at the configured
 * bounds: what a request costs is counted in CloudKit requests, as Apple would meter them.
 */
describe('legacy read fallback on CloudKit', () => {
  let h: CloudKitHarness;
  let requests: string[];

  beforeEach(async () => {
    h = await startCloudKitHarness();
    requests = [];
    const realFetch = globalThis.fetch;
    jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.startsWith('/database/')) requests.push(url.pathname);
      return realFetch(input, init);
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await h.close();
  });

  const { pageSize, maxPages } = config.legacyFallbackRead;
  const bound = pageSize * maxPages;

  it('reads a user with more records than the bound in a bounded number of calls, flagged partial', async () => {
    await h.addUser('u1');
    await h.putRecords('u1', manyRecords(bound + 250));
    const fallback = new LegacyReadFallback(h.store, async () => new Set());

    const read = await fallback.snapshot('u1');
    expect(requests.filter((path) => path.endsWith('/records/changes'))).toHaveLength(maxPages);
    expect(read).toMatchObject({ cached: false, partial: true, value: { partial: true } });
    // A habit heads every 100 records: the read took the first `bound` records' habits only.
    expect(read.value.habits.map((habit) => habit.id)).toEqual(
      Array.from({ length: Math.ceil(bound / 100) }, (_, i) => `h${i}`),
    );
  });

  it('answers a second read within the TTL without any CloudKit call', async () => {
    await h.addUser('u1');
    await h.putRecords('u1', manyRecords(bound + 250));
    const fallback = new LegacyReadFallback(h.store, async () => new Set());

    const first = await fallback.snapshot('u1');
    const made = requests.length;
    const second = await fallback.snapshot('u1');
    const list = await fallback.habitPage('u1', { limit: 50 });
    expect(requests).toHaveLength(made);
    expect(second).toEqual({ ...first, cached: true });
    expect(list.cached).toBe(true);
  });

  it('lists every habit through habits-list paging, each page within the bound', async () => {
    await h.addUser('u1');
    const records = manyRecords(3 * bound + 50); // a habit every 100 records
    await h.putRecords('u1', records);
    const fallback = new LegacyReadFallback(h.store, async () => new Set());

    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const before = requests.length;
      const page = await fallback.habitPage('u1', { limit: 2, pageToken });
      expect(requests.length - before).toBeLessThanOrEqual(maxPages);
      ids.push(...page.value.habits.map((habit) => habit.id));
      pageToken = page.value.nextPageToken;
      pages += 1;
    } while (pageToken && pages < 50);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(Math.ceil(records.length / 100));
  });
});
