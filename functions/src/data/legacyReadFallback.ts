import type { Completion } from '../domain/completion';
import type { Habit } from '../domain/habit';
import type { Streak } from '../domain/streak';
import { mapLegacyEntry, mapLegacyRecord } from '../migration/legacyToFirestoreMapper';
import { legacyRecordName } from './legacy/legacyRecords';
import { isAwaitingLink, type LegacyStore } from './legacy/legacyStore';

/** A user's legacy data as API entities, read through the same mapper the backfill uses. */
export interface LegacySnapshot {
  habits: Habit[];
  completions: Completion[];
  streaks: Streak[];
  xpTotal: number;
}

/** Enough for any real user's read; a larger one waits for the backfill rather than load it all. */
const MAX_RECORDS = 5_000;
const PAGE = 200;

/** Ids the user deleted through the API (tombstones): CloudKit may still hold them for a while. */
export type DeletedIds = (uid: string) => Promise<ReadonlySet<string>>;

/**
 * Reads for a user whose migration is incomplete: what Firestore lacks comes from CloudKit. It is
 * best effort: a user without a link, or CloudKit failing, reads as "nothing there". What the
 * user deleted through the API never shows, though CloudKit has not heard of it yet.
 */
export class LegacyReadFallback {
  constructor(
    private readonly legacy: LegacyStore,
    private readonly deletedIds: DeletedIds,
  ) {}

  async habit(uid: string, id: string): Promise<Habit | undefined> {
    const [found, deleted] = await Promise.all([
      this.legacy.lookup(uid, [legacyRecordName('habit', id)]),
      this.deletedIds(uid),
    ]);
    if (isAwaitingLink(found) || deleted.has(id)) return undefined;
    const record = found.found[0];
    if (!record || record.kind === 'invalid') return undefined;
    const mapped = mapLegacyRecord(record);
    return mapped.kind === 'habit' ? mapped.habit : undefined;
  }

  async snapshot(uid: string): Promise<LegacySnapshot> {
    const [snapshot, deleted] = await Promise.all([this.read(uid), this.deletedIds(uid)]);
    if (deleted.size === 0) return snapshot;
    return {
      habits: snapshot.habits.filter((h) => !deleted.has(h.id)),
      completions: snapshot.completions.filter(
        (c) => !deleted.has(c.id) && !deleted.has(c.habitId),
      ),
      streaks: snapshot.streaks.filter((s) => !deleted.has(s.habitId)),
      xpTotal: snapshot.xpTotal,
    };
  }

  private async read(uid: string): Promise<LegacySnapshot> {
    const snapshot: LegacySnapshot = { habits: [], completions: [], streaks: [], xpTotal: 0 };
    let cursor: string | null = null;
    for (let read = 0; read < MAX_RECORDS; read += PAGE) {
      const page = await this.legacy.readChanges(uid, cursor, PAGE);
      if (isAwaitingLink(page)) return snapshot;
      for (const entry of page.entries) {
        const mapped = mapLegacyEntry(entry);
        if (mapped.kind === 'habit') snapshot.habits.push(mapped.habit);
        else if (mapped.kind === 'completion') snapshot.completions.push(mapped.completion);
        else if (mapped.kind === 'streak') snapshot.streaks.push(mapped.streak);
        else if (mapped.kind === 'xpEvent') snapshot.xpTotal += mapped.amount;
      }
      if (!page.moreComing) break;
      cursor = page.cursor;
    }
    return snapshot;
  }
}
