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

/**
 * Reads for a user whose migration is incomplete: what Firestore lacks comes from CloudKit. It is
 * best effort: a user without a link, or CloudKit failing, reads as "nothing there".
 */
export class LegacyReadFallback {
  constructor(private readonly legacy: LegacyStore) {}

  async habit(uid: string, id: string): Promise<Habit | undefined> {
    const found = await this.legacy.lookup(uid, [legacyRecordName('habit', id)]);
    if (isAwaitingLink(found)) return undefined;
    const record = found.found[0];
    if (!record || record.kind === 'invalid') return undefined;
    const mapped = mapLegacyRecord(record);
    return mapped.kind === 'habit' ? mapped.habit : undefined;
  }

  async snapshot(uid: string): Promise<LegacySnapshot> {
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
