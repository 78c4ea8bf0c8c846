import {
  legacyRecordName,
  type LegacyRecord,
} from '../../../../functions/src/data/legacy/legacyRecords';
import type {
  AwaitingLink,
  LegacyChangePage,
  LegacyLookup,
  LegacyStore,
} from '../../../../functions/src/data/legacy/legacyStore';

const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

function habitRecord(i: number): LegacyRecord {
  const id = `h${String(i).padStart(4, '0')}`;
  return {
    kind: 'habit',
    recordName: legacyRecordName('habit', id),
    recordChangeTag: 't',
    fields: {
      CD_entityName: 'Habit',
      CD_id: id,
      CD_name: `Habit ${i}`,
      CD_scheduleType: 'daily',
      CD_targetPerDay: 1,
      CD_archived: 0,
      CD_createdAt: T0 + i * DAY,
      CD_updatedAt: T0 + i * DAY,
      CD_version: 1,
    },
  };
}

function xpRecord(i: number): LegacyRecord {
  return {
    kind: 'xpEvent',
    recordName: legacyRecordName('xpEvent', `x${i}`),
    recordChangeTag: 't',
    fields: {
      CD_entityName: 'XPEvent',
      CD_id: `x${i}`,
      CD_amount: 10,
      CD_reason: 'completion',
      CD_occurredAt: T0 + i * DAY,
    },
  };
}

/** A legacy store over a fixed feed that counts the calls it answers, as CloudKit would bill them. */
export class CountingStore implements LegacyStore {
  calls = 0;
  linked = true;
  failing = false;

  constructor(private readonly feed: LegacyRecord[]) {}

  listUsers(): never {
    throw new Error('not used');
  }

  write(): never {
    throw new Error('not used');
  }

  async readChanges(
    uid: string,
    cursor: string | null,
    limit: number,
  ): Promise<LegacyChangePage | AwaitingLink> {
    this.calls += 1;
    if (this.failing) throw new Error('CloudKit down');
    if (!this.linked) return { kind: 'awaiting_link', uid };
    const from = cursor === null ? 0 : Number(cursor);
    const to = Math.min(from + limit, this.feed.length);
    return {
      kind: 'page',
      entries: this.feed.slice(from, to),
      cursor: String(to),
      moreComing: to < this.feed.length,
    };
  }

  async lookup(_uid: string, names: string[]): Promise<LegacyLookup | AwaitingLink> {
    this.calls += 1;
    const found = this.feed.filter((r) => names.includes(r.recordName));
    return {
      kind: 'lookup',
      found,
      missing: names.filter((n) => !found.some((r) => r.recordName === n)),
    };
  }
}

/** Ten habits, then 10 XP events per habit, interleaved as a feed would hold them. */
export const feedOf = (habits: number) =>
  Array.from({ length: habits }, (_, h) => [
    habitRecord(h),
    ...Array.from({ length: 10 }, (_, x) => xpRecord(h * 10 + x)),
  ]).flat();
