import { LRUCache } from 'lru-cache';
import { config } from '../config';
import type { Completion } from '../domain/completion';
import type { Habit, HabitListInput } from '../domain/habit';
import type { Streak } from '../domain/streak';
import { mapLegacyEntry, mapLegacyRecord } from './legacy/mapping/legacyToFirestoreMapper';
import type { HabitPage } from './habitRepository';
import { decodeLegacyPageToken, legacyHabitPage } from './legacyHabitPages';
import { legacyRecordName } from './legacy/legacyRecords';
import { isAwaitingLink, type LegacyCallOptions, type LegacyStore } from './legacy/legacyStore';

/** A user's legacy data as API entities, read through the same mapper the backfill uses. */
export interface LegacySnapshot {
  habits: Habit[];
  completions: Completion[];
  streaks: Streak[];
  xpTotal: number;
  /** The read stopped at its bound: the user has more records than these (and more XP). */
  partial?: true;
}

/** A fallback read's answer, and whether it cost a CloudKit call. */
export interface LegacyRead<T> {
  value: T;
  /** From this instance's recent read of the same data: no CloudKit call. */
  cached: boolean;
  /** The read stopped at its bound, so the answer may lack data the user has. */
  partial: boolean;
}

export interface LegacyReadBounds {
  /** Records per change-feed request. */
  pageSize: number;
  /** Change-feed requests per read: the most CloudKit calls one fallback read makes. */
  maxPages: number;
  cacheTtlMs: number;
  cacheEntries: number;
  /** One read from CloudKit, every page, lease wait and retry included; unbounded when absent. */
  deadlineMs?: number;
}

/** Ids the user deleted through the API (tombstones): CloudKit may still hold them for a while. */
export type DeletedIds = (uid: string) => Promise<ReadonlySet<string>>;

/** What one bounded read of the change feed found, unfiltered, and where the feed goes on. */
interface FeedWindow {
  snapshot: LegacySnapshot;
  /** The cursor after this window; null when it reached the end of the feed. */
  next: string | null;
}

/** A lookup's result; null (not undefined, which the cache cannot hold) when absent. */
interface LookedUp {
  habit: Habit | null;
}

/** Loads a cache entry; undefined (awaiting a link) is served but not kept. */
type Loader<V> = () => Promise<V | undefined>;

const EMPTY: FeedWindow = {
  snapshot: { habits: [], completions: [], streaks: [], xpTotal: 0 },
  next: null,
};

function newCache<V extends object>(bounds: LegacyReadBounds, clock?: { now(): number }) {
  return new LRUCache<string, V, Loader<V>>({
    max: bounds.cacheEntries,
    ttl: bounds.cacheTtlMs,
    // The clock read on every get, not cached for a millisecond: a TTL test sees its clock.
    ttlResolution: 0,
    fetchMethod: (_key, _stale, { context }) => context(),
    ...(clock && { perf: clock }),
  });
}

/**
 * Reads for a user whose migration is incomplete: what Firestore lacks comes from CloudKit. It is
 * best effort: a user without a link reads as "nothing there". What the user deleted through the
 * API never shows, though CloudKit has not heard of it yet.
 *
 * Each read costs at most `maxPages` CloudKit calls whatever the user's history (the rest waits
 * for the backfill, which the read asks for), and says when it stopped short. What was read is
 * kept per instance for a short while, so an app launch's burst of reads costs one read; the
 * tombstones are applied after the cache, so a deletion through the API shows at once.
 */
export class LegacyReadFallback {
  private readonly windows: LRUCache<string, FeedWindow, Loader<FeedWindow>>;
  private readonly lookups: LRUCache<string, LookedUp, Loader<LookedUp>>;

  constructor(
    private readonly legacy: LegacyStore,
    private readonly deletedIds: DeletedIds,
    private readonly bounds: LegacyReadBounds = config.legacyFallbackRead,
    clock?: { now(): number },
  ) {
    this.windows = newCache(bounds, clock);
    this.lookups = newCache(bounds, clock);
  }

  async habit(uid: string, id: string): Promise<LegacyRead<Habit | undefined>> {
    const [found, deleted] = await Promise.all([this.lookUpHabit(uid, id), this.deletedIds(uid)]);
    return { ...found, value: deleted.has(id) ? undefined : found.value };
  }

  /** The beginning of the user's data, up to the bound. */
  async snapshot(uid: string): Promise<LegacyRead<LegacySnapshot>> {
    const [read, deleted] = await Promise.all([this.window(uid, null), this.deletedIds(uid)]);
    const snapshot = withoutDeleted(read.value.snapshot, deleted);
    return { ...read, value: read.partial ? { ...snapshot, partial: true } : snapshot };
  }

  /** One page of `habits-list`, from the window its token names (the first without one). */
  async habitPage(uid: string, input: HabitListInput): Promise<LegacyRead<HabitPage>> {
    const position = input.pageToken
      ? decodeLegacyPageToken(input.pageToken)
      : { cursor: null, after: null };
    const [read, deleted] = await Promise.all([
      this.window(uid, position.cursor),
      this.deletedIds(uid),
    ]);
    const habits = read.value.snapshot.habits.filter((habit) => !deleted.has(habit.id));
    return {
      ...read,
      value: legacyHabitPage({ habits, next: read.value.next }, position, input),
    };
  }

  private async window(uid: string, cursor: string | null): Promise<LegacyRead<FeedWindow>> {
    const { value, cached } = await cachedRead(this.windows, `${uid}\n${cursor ?? ''}`, () =>
      this.readWindow(uid, cursor),
    );
    const window = value ?? EMPTY;
    return { value: window, cached, partial: window.next !== null };
  }

  private async lookUpHabit(uid: string, id: string): Promise<LegacyRead<Habit | undefined>> {
    // The first window, if this instance read it lately, answers without a call.
    const first = this.windows.get(`${uid}\n`);
    const seen = first?.snapshot.habits.find((habit) => habit.id === id);
    if (first && (seen || first.next === null)) {
      return { value: seen, cached: true, partial: false };
    }
    const { value, cached } = await cachedRead(this.lookups, `${uid}\n${id}`, () =>
      this.readHabit(uid, id),
    );
    return { value: value?.habit ?? undefined, cached, partial: false };
  }

  /** The whole read's: a callable must answer, even "unavailable", well inside its timeout. */
  private callOptions(): LegacyCallOptions {
    const { deadlineMs } = this.bounds;
    return deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
  }

  private async readWindow(uid: string, from: string | null): Promise<FeedWindow | undefined> {
    const snapshot: LegacySnapshot = { habits: [], completions: [], streaks: [], xpTotal: 0 };
    const options = this.callOptions();
    let cursor = from;
    for (let pages = 0; pages < this.bounds.maxPages; pages += 1) {
      const page = await this.legacy.readChanges(uid, cursor, this.bounds.pageSize, options);
      if (isAwaitingLink(page)) return undefined;
      for (const entry of page.entries) {
        const mapped = mapLegacyEntry(entry);
        if (mapped.kind === 'habit') snapshot.habits.push(mapped.habit);
        else if (mapped.kind === 'completion') snapshot.completions.push(mapped.completion);
        else if (mapped.kind === 'streak') snapshot.streaks.push(mapped.streak);
        else if (mapped.kind === 'xpEvent') snapshot.xpTotal += mapped.amount;
      }
      if (!page.moreComing) return { snapshot, next: null };
      cursor = page.cursor;
    }
    return { snapshot, next: cursor };
  }

  private async readHabit(uid: string, id: string): Promise<LookedUp | undefined> {
    const found = await this.legacy.lookup(
      uid,
      [legacyRecordName('habit', id)],
      this.callOptions(),
    );
    if (isAwaitingLink(found)) return undefined;
    const record = found.found[0];
    if (!record || record.kind === 'invalid') return { habit: null };
    const mapped = mapLegacyRecord(record);
    return { habit: mapped.kind === 'habit' ? mapped.habit : null };
  }
}

/** A cache read that loads on a miss; concurrent misses of one key share one load. */
async function cachedRead<V extends object>(
  cache: LRUCache<string, V, Loader<V>>,
  key: string,
  load: Loader<V>,
): Promise<{ value: V | undefined; cached: boolean }> {
  const status: LRUCache.Status<string, V, Loader<V>> = {};
  const value = await cache.fetch(key, { context: load, status });
  // A load another request started answers this one too: neither way does this one call.
  return { value, cached: status.fetch === 'hit' || status.fetch === 'inflight' };
}

function withoutDeleted(snapshot: LegacySnapshot, deleted: ReadonlySet<string>): LegacySnapshot {
  if (deleted.size === 0) return snapshot;
  return {
    habits: snapshot.habits.filter((h) => !deleted.has(h.id)),
    completions: snapshot.completions.filter((c) => !deleted.has(c.id) && !deleted.has(c.habitId)),
    streaks: snapshot.streaks.filter((s) => !deleted.has(s.habitId)),
    xpTotal: snapshot.xpTotal,
  };
}
