import type {
  InvalidLegacyRecord,
  LegacyCompletionFields,
  LegacyDeletion,
  LegacyHabitFields,
  LegacyRecord,
  LegacyStreakFields,
  LegacyXpEventFields,
} from '../../../../functions/src/data/legacy/legacyRecords';
import {
  mapLegacyEntry,
  mapLegacyRecord,
  type MappedRecord,
  type MappingFailure,
} from '../../../../functions/src/data/legacy/mapping/legacyToFirestoreMapper';

const T0 = 1_700_000_000_000;
const T0_ISO = '2023-11-14T22:13:20.000Z';
const T1 = 1_700_000_123_456;
const T1_ISO = '2023-11-14T22:15:23.456Z';

const habitFields: LegacyHabitFields = {
  CD_entityName: 'Habit',
  CD_id: 'h1',
  CD_name: 'Read',
  CD_scheduleType: 'daily',
  CD_targetPerDay: 1,
  CD_archived: 0,
  CD_createdAt: T0,
  CD_updatedAt: T1,
  CD_version: 3,
};

const completionFields: LegacyCompletionFields = {
  CD_entityName: 'Completion',
  CD_id: 'h1_2024-03-05',
  CD_habit: 'CD_Habit_h1',
  CD_date: '2024-03-05',
  CD_count: 2,
  CD_completedAt: T1,
  CD_createdAt: T0,
  CD_updatedAt: T1,
  CD_version: 1,
};

const xpFields: LegacyXpEventFields = {
  CD_entityName: 'XPEvent',
  CD_id: 'x1',
  CD_amount: -20,
  CD_reason: 'completion removed',
  CD_occurredAt: T1,
};

const streakFields: LegacyStreakFields = {
  CD_entityName: 'Streak',
  CD_habit: 'CD_Habit_h1',
  CD_current: 3,
  CD_longest: 7,
  CD_lastCompletedDate: '2024-03-05',
};

const habitRecord = (
  fields: Partial<LegacyHabitFields> = {},
  recordName = 'CD_Habit_h1',
): LegacyRecord => ({
  kind: 'habit',
  recordName,
  recordChangeTag: 'tag',
  fields: { ...habitFields, ...fields },
});

const completionRecord = (
  fields: Partial<LegacyCompletionFields> = {},
  recordName = `CD_Completion_${fields.CD_id ?? completionFields.CD_id}`,
): LegacyRecord => ({
  kind: 'completion',
  recordName,
  recordChangeTag: 'tag',
  fields: { ...completionFields, ...fields },
});

const habitBase = {
  id: 'h1',
  name: 'Read',
  schedule: { type: 'daily' },
  targetPerDay: 1,
  archived: false,
  createdAt: T0_ISO,
  updatedAt: T1_ISO,
  version: 3,
};

function expectFailure(result: MappedRecord | MappingFailure, ...fragments: string[]): void {
  expect(result.kind).toBe('failure');
  const { reason } = result as MappingFailure;
  for (const fragment of fragments) expect(reason).toContain(fragment);
}

describe('mapLegacyRecord: habits', () => {
  it.each<{ name: string; fields: Partial<LegacyHabitFields>; habit: object }>([
    { name: 'daily', fields: {}, habit: habitBase },
    {
      name: 'daily, ignoring attributes left from an earlier schedule',
      fields: { CD_scheduleDays: '1,2', CD_timesPerWeek: 3 },
      habit: habitBase,
    },
    {
      name: 'weekly, days kept in stored order',
      fields: { CD_scheduleType: 'weekly', CD_scheduleDays: '5,1,3' },
      habit: { ...habitBase, schedule: { type: 'weekly', days: [5, 1, 3] } },
    },
    {
      name: 'weekly with Sunday and spaces',
      fields: { CD_scheduleType: 'weekly', CD_scheduleDays: '0, 6' },
      habit: { ...habitBase, schedule: { type: 'weekly', days: [0, 6] } },
    },
    {
      name: 'timesPerWeek',
      fields: { CD_scheduleType: 'timesPerWeek', CD_timesPerWeek: 4 },
      habit: { ...habitBase, schedule: { type: 'timesPerWeek', count: 4 } },
    },
    { name: 'archived', fields: { CD_archived: 1 }, habit: { ...habitBase, archived: true } },
    {
      name: 'all optional fields present',
      fields: { CD_emoji: '📚', CD_colorHex: '#A1b2C3', CD_reminderTime: '07:30' },
      habit: { ...habitBase, emoji: '📚', color: '#A1b2C3', reminderTime: '07:30' },
    },
    {
      name: 'optional fields empty are absent',
      fields: { CD_emoji: '', CD_colorHex: '', CD_reminderTime: '' },
      habit: habitBase,
    },
    {
      name: 'name trimmed as the API stores it',
      fields: { CD_name: '  Read  ' },
      habit: habitBase,
    },
    {
      name: 'target, version and epoch timestamps',
      fields: { CD_targetPerDay: 100, CD_version: 42, CD_createdAt: 0, CD_updatedAt: 1 },
      habit: {
        ...habitBase,
        targetPerDay: 100,
        version: 42,
        createdAt: '1970-01-01T00:00:00.000Z',
        updatedAt: '1970-01-01T00:00:00.001Z',
      },
    },
  ])('$name', ({ fields, habit }) => {
    const result = mapLegacyRecord(habitRecord(fields));
    expect(result).toEqual({ kind: 'habit', id: 'h1', habit });
    // Absent means no key at all, so the mapped habit compares equal to a stored one.
    if (result.kind === 'habit') {
      for (const key of ['emoji', 'color', 'reminderTime']) {
        if (!(key in habit)) expect(result.habit).not.toHaveProperty(key);
      }
    }
  });

  it.each<{
    name: string;
    fields?: Partial<LegacyHabitFields>;
    recordName?: string;
    reason: string[];
  }>([
    {
      name: 'unknown schedule type',
      fields: { CD_scheduleType: 'monthly' },
      reason: ['CD_scheduleType', "'monthly'"],
    },
    {
      name: 'schedule type in another case',
      fields: { CD_scheduleType: 'Daily' },
      reason: ['CD_scheduleType'],
    },
    {
      name: 'weekday out of range',
      fields: { CD_scheduleType: 'weekly', CD_scheduleDays: '1,9' },
      reason: ['not a valid habit', 'schedule.days.1'],
    },
    {
      name: 'duplicate weekdays',
      fields: { CD_scheduleType: 'weekly', CD_scheduleDays: '1,1' },
      reason: ['schedule.days', 'unique'],
    },
    {
      name: 'weekdays not numbers',
      fields: { CD_scheduleType: 'weekly', CD_scheduleDays: 'mon,wed' },
      reason: ['CD_scheduleDays', "'mon,wed'"],
    },
    {
      name: 'negative weekday',
      fields: { CD_scheduleType: 'weekly', CD_scheduleDays: '-1' },
      reason: ['CD_scheduleDays'],
    },
    {
      name: 'weekly without days',
      fields: { CD_scheduleType: 'weekly' },
      reason: ['CD_scheduleDays', 'missing'],
    },
    {
      name: 'weekly with empty days',
      fields: { CD_scheduleType: 'weekly', CD_scheduleDays: '' },
      reason: ['CD_scheduleDays', 'missing'],
    },
    {
      name: 'timesPerWeek without a count',
      fields: { CD_scheduleType: 'timesPerWeek' },
      reason: ['CD_timesPerWeek', 'missing'],
    },
    {
      name: 'timesPerWeek of 8',
      fields: { CD_scheduleType: 'timesPerWeek', CD_timesPerWeek: 8 },
      reason: ['schedule.count'],
    },
    {
      name: 'CD_id differing from the record name',
      fields: { CD_id: 'h2' },
      reason: ["CD_id 'h2'", "'h1'"],
    },
    {
      name: 'record name of another type',
      recordName: 'CD_Completion_h1',
      reason: ['CD_Completion_h1', 'CD_Habit_<id>'],
    },
    { name: 'record name without an id', recordName: 'CD_Habit_', reason: ['CD_Habit_<id>'] },
    {
      name: 'id unsafe as a document id',
      fields: { CD_id: 'a/b' },
      recordName: 'CD_Habit_a/b',
      reason: ['id:'],
    },
    { name: 'empty name', fields: { CD_name: '' }, reason: ['name:'] },
    { name: 'blank name', fields: { CD_name: '   ' }, reason: ['name:'] },
    { name: 'name too long', fields: { CD_name: 'x'.repeat(101) }, reason: ['name:'] },
    { name: 'targetPerDay 0', fields: { CD_targetPerDay: 0 }, reason: ['targetPerDay:'] },
    { name: 'color not #RRGGBB', fields: { CD_colorHex: 'red' }, reason: ['color:'] },
    { name: 'reminder not HH:MM', fields: { CD_reminderTime: '7:30' }, reason: ['reminderTime:'] },
    { name: 'emoji too long', fields: { CD_emoji: 'x'.repeat(17) }, reason: ['emoji:'] },
    {
      name: 'archived neither 0 nor 1',
      fields: { CD_archived: 2 as 0 },
      reason: ['CD_archived'],
    },
    {
      name: 'timestamp beyond any date',
      fields: { CD_createdAt: 9e15 },
      reason: ['CD_createdAt', 'milliseconds'],
    },
    { name: 'negative timestamp', fields: { CD_updatedAt: -1 }, reason: ['CD_updatedAt'] },
    { name: 'version 0', fields: { CD_version: 0 }, reason: ['version:'] },
  ])('fails on $name', ({ fields, recordName, reason }) => {
    const result = mapLegacyRecord(habitRecord(fields, recordName));
    expectFailure(result, ...reason);
    expect(result).toMatchObject({ recordName: recordName ?? 'CD_Habit_h1' });
  });

  it('lists every failing path in the reason', () => {
    const result = mapLegacyRecord(habitRecord({ CD_name: '', CD_targetPerDay: 0 }));
    expectFailure(result, 'name:', 'targetPerDay:');
  });
});

describe('mapLegacyRecord: completions', () => {
  const completion = {
    id: 'h1_2024-03-05',
    habitId: 'h1',
    date: '2024-03-05',
    count: 2,
    completedAt: T1_ISO,
    createdAt: T0_ISO,
    updatedAt: T1_ISO,
    version: 1,
  };

  it.each<{ name: string; fields: Partial<LegacyCompletionFields>; completion: object }>([
    { name: 'without a note', fields: {}, completion },
    {
      name: 'with a note',
      fields: { CD_note: 'felt good' },
      completion: { ...completion, note: 'felt good' },
    },
    { name: 'empty note is absent', fields: { CD_note: '' }, completion },
    { name: 'count 1000', fields: { CD_count: 1000 }, completion: { ...completion, count: 1000 } },
  ])('$name', ({ fields, completion: expected }) => {
    const result = mapLegacyRecord(completionRecord(fields));
    expect(result).toEqual({
      kind: 'completion',
      id: 'h1_2024-03-05',
      habitId: 'h1',
      completion: expected,
    });
    if (!('note' in expected) && result.kind === 'completion') {
      expect(result.completion).not.toHaveProperty('note');
    }
  });

  it.each<{
    name: string;
    fields?: Partial<LegacyCompletionFields>;
    recordName?: string;
    reason: string[];
  }>([
    {
      name: 'CD_habit not a habit record name',
      fields: { CD_habit: 'CD_Streak_h1' },
      reason: ['CD_habit', "'CD_Streak_h1'"],
    },
    { name: 'CD_habit a bare id', fields: { CD_habit: 'h1' }, reason: ['CD_habit'] },
    {
      name: 'id not matching the date',
      fields: { CD_id: 'h1_2024-03-06' },
      reason: ["'h1_2024-03-06'", "'h1_2024-03-05'"],
    },
    {
      name: 'id not matching the habit',
      fields: { CD_id: 'h2_2024-03-05' },
      reason: ["'h2_2024-03-05'", "'h1_2024-03-05'"],
    },
    {
      name: 'CD_id differing from the record name',
      recordName: 'CD_Completion_other',
      reason: ['CD_id', "'other'"],
    },
    { name: 'count 0', fields: { CD_count: 0 }, reason: ['not a valid completion', 'count:'] },
    { name: 'count 1001', fields: { CD_count: 1001 }, reason: ['count:'] },
    {
      name: 'date not a calendar day',
      fields: { CD_id: 'h1_2024-02-30', CD_date: '2024-02-30' },
      reason: ['date:'],
    },
    { name: 'note too long', fields: { CD_note: 'x'.repeat(501) }, reason: ['note:'] },
    {
      name: 'completedAt not a timestamp',
      fields: { CD_completedAt: 1.5 },
      reason: ['CD_completedAt'],
    },
  ])('fails on $name', ({ fields, recordName, reason }) => {
    expectFailure(mapLegacyRecord(completionRecord(fields, recordName)), ...reason);
  });
});

describe('mapLegacyRecord: XP events', () => {
  const xpRecord = (fields: Partial<LegacyXpEventFields> = {}, recordName = 'CD_XPEvent_x1') =>
    mapLegacyRecord({
      kind: 'xpEvent',
      recordName,
      recordChangeTag: 'tag',
      fields: { ...xpFields, ...fields },
    });

  it('keeps id, signed amount and time', () => {
    expect(xpRecord()).toEqual({ kind: 'xpEvent', id: 'x1', amount: -20, occurredAt: T1_ISO });
  });

  it('names the completion and habit it was earned for, when the event says', () => {
    expect(xpRecord({ CD_completion: 'CD_Completion_h1_2026-01-02' })).toEqual({
      kind: 'xpEvent',
      id: 'x1',
      amount: -20,
      occurredAt: T1_ISO,
      completionId: 'h1_2026-01-02',
      habitId: 'h1',
    });
  });

  it.each(['CD_Habit_h1', 'CD_Completion_nodate', ''])(
    'keeps an event whose completion name %j says nothing, unattributed',
    (name) => {
      expect(xpRecord({ CD_completion: name })).toEqual({
        kind: 'xpEvent',
        id: 'x1',
        amount: -20,
        occurredAt: T1_ISO,
      });
    },
  );

  it.each([
    { name: 'CD_id mismatch', fields: { CD_id: 'x2' }, reason: 'CD_id' },
    { name: 'fractional amount', fields: { CD_amount: 0.5 }, reason: 'CD_amount' },
    { name: 'bad time', fields: { CD_occurredAt: -5 }, reason: 'CD_occurredAt' },
  ])('fails on $name', ({ fields, reason }) => {
    expectFailure(xpRecord(fields), reason);
  });
});

describe('mapLegacyRecord: streaks', () => {
  const streakRecord = (fields: Partial<LegacyStreakFields> = {}) =>
    mapLegacyRecord({
      kind: 'streak',
      recordName: 'CD_Streak_8F2A',
      recordChangeTag: 'tag',
      fields: { ...streakFields, ...fields },
    });

  it.each([
    { name: 'with a last day', fields: {}, last: '2024-03-05' },
    { name: 'without a last day', fields: { CD_lastCompletedDate: undefined }, last: null },
    { name: 'empty last day', fields: { CD_lastCompletedDate: '' }, last: null },
  ])('$name', ({ fields, last }) => {
    expect(streakRecord(fields)).toEqual({
      kind: 'streak',
      habitId: 'h1',
      streak: { habitId: 'h1', current: 3, longest: 7, lastCompletedDate: last },
    });
  });

  it.each([
    { name: 'CD_habit not a habit', fields: { CD_habit: 'CD_Completion_h1' }, reason: 'CD_habit' },
    {
      name: 'bad last day',
      fields: { CD_lastCompletedDate: '5.3.2024' },
      reason: 'lastCompletedDate:',
    },
    { name: 'negative current', fields: { CD_current: -1 }, reason: 'current:' },
  ])('fails on $name', ({ fields, reason }) => {
    expectFailure(streakRecord(fields), reason);
  });
});

describe('mapLegacyRecord never throws', () => {
  it.each<{ name: string; record: unknown }>([
    { name: 'an unknown kind', record: { kind: 'tag', recordName: 'CD_Tag_1', fields: {} } },
    { name: 'fields missing', record: { kind: 'habit', recordName: 'CD_Habit_h1' } },
    {
      name: 'days not a string',
      record: habitRecord({ CD_scheduleType: 'weekly', CD_scheduleDays: 5 as unknown as string }),
    },
    { name: 'null', record: null },
  ])('fails on $name', ({ record }) => {
    let result: MappedRecord | MappingFailure | undefined;
    expect(() => (result = mapLegacyRecord(record as LegacyRecord))).not.toThrow();
    expect(result?.kind).toBe('failure');
  });
});

describe('mapLegacyEntry', () => {
  it.each<{ recordName: string; target: object | undefined }>([
    { recordName: 'CD_Habit_h1', target: { kind: 'habit', id: 'h1' } },
    {
      recordName: 'CD_Completion_h1_2024-03-05',
      target: { kind: 'completion', id: 'h1_2024-03-05' },
    },
    { recordName: 'CD_XPEvent_x1', target: { kind: 'xpEvent', id: 'x1' } },
    { recordName: 'CD_Streak_h1', target: { kind: 'streak', id: 'h1' } },
    { recordName: 'CD_Habit_', target: undefined },
    { recordName: 'CD_HabitX_1', target: undefined },
    { recordName: 'CD_Tag_1', target: undefined },
  ])('passes the deletion of $recordName through', ({ recordName, target }) => {
    const deletion: LegacyDeletion = { kind: 'deleted', recordName };
    expect(mapLegacyEntry(deletion)).toEqual({ kind: 'deleted', recordName, target });
  });

  it('turns an invalid record into a failure with its reason', () => {
    const invalid: InvalidLegacyRecord = {
      kind: 'invalid',
      recordName: 'CD_Habit_h1',
      recordType: 'CD_Habit',
      reason: 'CD_name: expected string',
    };
    const result = mapLegacyEntry(invalid);
    expect(result).toEqual({
      kind: 'failure',
      recordName: 'CD_Habit_h1',
      reason: expect.stringContaining('CD_name: expected string'),
    });
  });

  it('maps records as mapLegacyRecord does, naming the record and change it was read from', () => {
    const record = habitRecord();
    expect(mapLegacyEntry(record)).toEqual({
      ...mapLegacyRecord(record),
      source: {
        recordName: record.recordName,
        recordChangeTag: record.recordChangeTag,
        modifiedMs: record.modifiedMs,
      },
    });
  });
});
