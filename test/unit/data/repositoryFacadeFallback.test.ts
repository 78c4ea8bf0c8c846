import type { HabitRepository } from '../../../functions/src/data/habitRepository';
import { LegacyReadFallback } from '../../../functions/src/data/legacyReadFallback';
import { RepositoryFacade } from '../../../functions/src/data/repositoryFacade';
import { InvalidInputError, NotFoundError } from '../../../functions/src/domain/errors';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import { progressFromXp } from '../../../functions/src/domain/progress';
import type { Telemetry, TelemetryEvent } from '../../../functions/src/telemetry/telemetryEvents';
import { CountingStore, feedOf } from './support/legacyFeed';

/** Firestore as it is for a user not migrated yet: nothing there. */
const emptyFirestore = {
  getHabit: async (_uid: string, id: string) => {
    throw new NotFoundError('habit', id);
  },
  listHabits: async () => ({ habits: [] }),
  listCompletions: async () => [],
  getProgress: async () => ({ progress: progressFromXp(0), streaks: [] }),
} as unknown as HabitRepository;

const bounds = { pageSize: 50, maxPages: 2, cacheTtlMs: 60_000, cacheEntries: 10 };

function setUp(habits: number) {
  const store = new CountingStore(feedOf(habits));
  const recorded: string[] = [];
  const telemetry: Telemetry = {
    record: (event: TelemetryEvent, outcome: string) => {
      recorded.push(`${event}:${outcome}`);
    },
  };
  let state: MigrationState = { status: 'not_started' };
  const backfills: string[] = [];
  const facade = new RepositoryFacade(
    emptyFirestore,
    emptyFirestore,
    {
      flags: async () => ({
        dualWriteEnabled: true,
        legacyReadFallbackEnabled: true,
        forceMigrationComplete: false,
      }),
      migrationState: async () => state,
      requestBackfill: async (uid) => {
        backfills.push(uid);
      },
    },
    telemetry,
    new LegacyReadFallback(store, async () => new Set(), bounds),
  );
  const migrate = () => (state = { status: 'completed' } as MigrationState);
  return { store, facade, recorded, backfills, migrate };
}

describe('fallback reads through the facade', () => {
  it('flags a progress total read up to the bound as partial, and asks for the backfill', async () => {
    const { facade, recorded, backfills } = setUp(100); // 1,100 records, 100 read
    expect(await facade.getProgress('u1')).toMatchObject({
      source: 'legacy',
      partial: true,
      progress: { totalXp: 900 },
    });
    expect(recorded).toEqual(['fallbackRead:served', 'fallbackReadLegacy:truncated']);
    expect(backfills).toEqual(['u1']);
  });

  it('says nothing of partial when the whole history fit, and counts a repeat as cached', async () => {
    const { facade, recorded, store } = setUp(3);
    const first = await facade.getProgress('u1');
    expect(first).toEqual({ progress: progressFromXp(300), streaks: [], source: 'legacy' });
    const calls = store.calls;
    expect(await facade.getProgress('u1')).toEqual(first);
    expect(store.calls).toBe(calls);
    expect(recorded).toEqual([
      'fallbackRead:served',
      'fallbackReadLegacy:fetched',
      'fallbackRead:served',
      'fallbackReadLegacy:cached',
    ]);
  });

  it("marks an empty completions list from a partial read as partial, not as Firestore's empty", async () => {
    const { facade } = setUp(100); // XP events and habits only: no completion anywhere
    const list = await facade.listCompletions('u1', { from: '2025-01-01', to: '2025-12-31' });
    expect(Array.from(list)).toEqual([]);
    expect(list).toMatchObject({ source: 'legacy', partial: true });
  });

  it('lists every habit through habits-list paging, and refuses a legacy token once migrated', async () => {
    const { facade, store, migrate } = setUp(100);
    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const before = store.calls;
      const page = await facade.listHabits('u1', { limit: 7, pageToken });
      expect(store.calls - before).toBeLessThanOrEqual(bounds.maxPages);
      expect(page.source).toBe('legacy');
      ids.push(...page.habits.map((habit) => habit.id));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken && pages < 100);
    expect(new Set(ids).size).toBe(100);

    const first = await facade.listHabits('u1', { limit: 7 });
    migrate();
    await expect(
      facade.listHabits('u1', { limit: 7, pageToken: first.nextPageToken }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});
