import { randomUUID } from 'node:crypto';
import { habitRecord, xpRecord } from '../legacyRecords';
import type { Random } from './random';

export interface SimRecord {
  recordName: string;
  recordType: string;
  recordChangeTag?: string;
  fields: Record<string, { value: unknown; type: string }>;
}

type Sim = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const str = (value: string) => ({ value, type: 'STRING' });
const int = (value: number) => ({ value, type: 'INT64' });
const ts = (value: number) => ({ value, type: 'TIMESTAMP' });

/**
 * The old iOS app on a second device: it reads what CloudKit holds and writes records as Core
 * Data mirroring would (through the simulator's device endpoint, with its own credentials), with
 * its own clock, versions and XP events. It never hears of Firestore.
 */
export class OldApp {
  /** The device's clock reading of its last write (its CD_updatedAt), for the winner check. */
  lastWriteAt = 0;

  constructor(
    private readonly sim: Sim,
    private readonly uid: string,
    private readonly random: Random,
  ) {}

  async records(): Promise<Map<string, SimRecord>> {
    const { records } = await this.sim<{ records: SimRecord[] }>(
      'GET',
      `/__sim/users/${encodeURIComponent(this.uid)}/records`,
    );
    return new Map(records.map((r) => [r.recordName, r]));
  }

  private async put(records: unknown[]): Promise<void> {
    await this.sim('PUT', `/__sim/users/${encodeURIComponent(this.uid)}/records`, { records });
  }

  private xpEvent(amount: number, completion: string | undefined, now: number): unknown {
    return xpRecord(randomUUID(), amount, { completion, at: new Date(now).toISOString() });
  }

  async createHabit(id: string, name: string): Promise<string> {
    const at = new Date((this.lastWriteAt = Date.now())).toISOString();
    await this.put([habitRecord(id, { name, createdAt: at })]);
    return 'created';
  }

  async renameHabit(id: string, name: string): Promise<string> {
    const record = (await this.records()).get(`CD_Habit_${id}`);
    if (!record) return 'no such habit on the device';
    const now = (this.lastWriteAt = Date.now());
    const version = Number(record.fields.CD_version?.value ?? 0) + 1;
    await this.put([
      {
        ...record,
        fields: {
          ...record.fields,
          CD_name: str(name),
          CD_updatedAt: ts(now),
          CD_version: int(version),
        },
      },
    ]);
    return 'renamed';
  }

  /** Logging a day: the record (new or edited) and an XP event for the change in count. */
  async logDay(habitId: string, date: string, count: number): Promise<string> {
    const all = await this.records();
    if (!all.has(`CD_Habit_${habitId}`)) return 'no such habit on the device';
    const name = `CD_Completion_${habitId}_${date}`;
    const existing = all.get(name);
    const now = (this.lastWriteAt = Date.now());
    const before = existing ? Number(existing.fields.CD_count?.value ?? 0) : 0;
    const id = `${habitId}_${date}`;
    const record = {
      recordName: name,
      recordType: 'CD_Completion',
      fields: {
        ...(existing?.fields ?? {}),
        CD_entityName: str('Completion'),
        CD_id: str(id),
        CD_habit: str(`CD_Habit_${habitId}`),
        CD_date: str(date),
        CD_count: int(count),
        CD_completedAt: ts(now),
        CD_createdAt: existing?.fields.CD_createdAt ?? ts(now),
        CD_updatedAt: ts(now),
        CD_version: int(Number(existing?.fields.CD_version?.value ?? 0) + 1),
      },
    };
    const delta = 10 * (count - before);
    await this.put(delta === 0 ? [record] : [record, this.xpEvent(delta, name, now)]);
    return existing ? 'edited day' : 'logged day';
  }

  async deleteDay(habitId: string, date: string): Promise<string> {
    const name = `CD_Completion_${habitId}_${date}`;
    const existing = (await this.records()).get(name);
    if (!existing) return 'no such day on the device';
    const count = Number(existing.fields.CD_count?.value ?? 0);
    await this.put([
      { recordName: name, deleted: true },
      this.xpEvent(-10 * count, name, (this.lastWriteAt = Date.now())),
    ]);
    return 'deleted day';
  }

  /** Core Data cascades: the habit, its days and its streak go; their XP is taken back. */
  async deleteHabit(habitId: string): Promise<string> {
    const all = await this.records();
    if (!all.has(`CD_Habit_${habitId}`)) return 'no such habit on the device';
    const days = [...all.values()].filter(
      (r) => r.recordType === 'CD_Completion' && r.fields.CD_habit?.value === `CD_Habit_${habitId}`,
    );
    const xp = days.reduce((sum, r) => sum + 10 * Number(r.fields.CD_count?.value ?? 0), 0);
    const gone = [`CD_Habit_${habitId}`, `CD_Streak_${habitId}`, ...days.map((d) => d.recordName)]
      .filter((n) => all.has(n))
      .map((recordName) => ({ recordName, deleted: true }));
    const now = (this.lastWriteAt = Date.now());
    await this.put(xp === 0 ? gone : [...gone, this.xpEvent(-xp, undefined, now)]);
    return `deleted habit and ${days.length} days`;
  }

  /** A random pick, for steps that name "some record the device has". */
  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.random.below(items.length)];
  }
}
