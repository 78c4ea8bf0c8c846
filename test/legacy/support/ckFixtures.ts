import { encodeFields } from '../../../functions/src/data/legacy/cloudkit/ckRecordCodec';
import {
  LEGACY_RECORD_TYPES,
  legacyRecordName,
  type LegacyCompletionFields,
  type LegacyHabitFields,
} from '../../../functions/src/data/legacy/legacyRecords';

/** A record as CloudKit's JSON has it (what the simulator stores and serves). */
export interface CkJsonRecord {
  recordName: string;
  recordType: string;
  recordChangeTag: string;
  fields: Record<string, { value: unknown; type: string }>;
  created?: { timestamp: number; userRecordName: string; deviceID: string };
  modified?: { timestamp: number; userRecordName: string; deviceID: string };
}

const T0 = Date.UTC(2025, 0, 1);

export function habitFields(
  id: string,
  overrides: Partial<LegacyHabitFields> = {},
): LegacyHabitFields {
  return {
    CD_entityName: 'Habit',
    CD_id: id,
    CD_name: `Habit ${id}`,
    CD_emoji: '💧',
    CD_scheduleType: 'daily',
    CD_targetPerDay: 1,
    CD_archived: 0,
    CD_createdAt: T0,
    CD_updatedAt: T0,
    CD_version: 1,
    ...overrides,
  };
}

export function completionFields(habitId: string, day: number): LegacyCompletionFields {
  const date = new Date(T0 + day * 86_400_000).toISOString().slice(0, 10);
  return {
    CD_entityName: 'Completion',
    CD_id: `${habitId}-${date}`,
    CD_habit: legacyRecordName('habit', habitId),
    CD_date: date,
    CD_count: 1,
    CD_completedAt: T0 + day * 86_400_000,
    CD_createdAt: T0 + day * 86_400_000,
    CD_updatedAt: T0 + day * 86_400_000,
    CD_version: 1,
  };
}

export function habitRecord(id: string, overrides: Partial<LegacyHabitFields> = {}): CkJsonRecord {
  return ckRecord(legacyRecordName('habit', id), LEGACY_RECORD_TYPES.habit, {
    ...habitFields(id, overrides),
  });
}

export function completionRecord(habitId: string, day: number): CkJsonRecord {
  const fields = completionFields(habitId, day);
  return ckRecord(legacyRecordName('completion', fields.CD_id), LEGACY_RECORD_TYPES.completion, {
    ...fields,
  });
}

/** `n` records: a habit every 100, completions of it in between. */
export function manyRecords(n: number): CkJsonRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const habitId = `h${Math.floor(i / 100)}`;
    return i % 100 === 0 ? habitRecord(habitId) : completionRecord(habitId, i % 100);
  });
}

export function ckRecord(
  recordName: string,
  recordType: string,
  fields: object,
  recordChangeTag = 'fixture1',
): CkJsonRecord {
  const stamp = { timestamp: T0, userRecordName: '_fixture', deviceID: 'fixture' };
  return {
    recordName,
    recordType,
    recordChangeTag,
    fields: encodeFields(fields),
    created: stamp,
    modified: stamp,
  };
}
