import type { CkRecord } from './types';

// The field whose type a corrupt record gets wrong: the one a reader is most likely to do
// arithmetic on, so a missing validation shows up as a wrong number rather than passing silently.
const CORRUPT_FIELD: Record<string, string> = {
  CD_Habit: 'CD_targetPerDay',
  CD_Completion: 'CD_count',
  CD_XPEvent: 'CD_amount',
  CD_Streak: 'CD_current',
};

/** A record as it goes out on the wire: a copy, broken on purpose when a corrupt fault names it. */
export function presentRecord(record: CkRecord, corrupted: ReadonlySet<string>): CkRecord {
  if (!corrupted.has(record.recordName)) return record;
  const fields = { ...(record.fields ?? {}) };
  const name = CORRUPT_FIELD[record.recordType] ?? Object.keys(fields)[0] ?? 'CD_entityName';
  fields[name] = { value: 'abc', type: 'STRING' };
  return { ...record, fields };
}
