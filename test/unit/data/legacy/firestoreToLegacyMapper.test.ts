import {
  legacyFieldSchemas,
  type LegacyRecord,
} from '../../../../functions/src/data/legacy/legacyRecords';
import type { LegacyWrite } from '../../../../functions/src/data/legacy/legacyStore';
import type { Completion } from '../../../../functions/src/domain/completion';
import type { Habit } from '../../../../functions/src/domain/habit';
import type { Streak } from '../../../../functions/src/domain/streak';
import {
  completionToLegacyFields,
  type DualWrittenKind,
  habitToLegacyFields,
  legacyDelete,
  legacyUpsert,
  streakToLegacyFields,
} from '../../../../functions/src/data/legacy/mapping/firestoreToLegacyMapper';
import { mapLegacyRecord } from '../../../../functions/src/data/legacy/mapping/legacyToFirestoreMapper';

const meta = {
  createdAt: '2023-11-14T22:13:20.000Z',
  updatedAt: '2024-03-05T07:30:00.123Z',
  version: 4,
};

const habit: Habit = {
  ...meta,
  id: 'h1',
  name: 'Read',
  schedule: { type: 'daily' },
  targetPerDay: 1,
  archived: false,
};

const completion: Completion = {
  ...meta,
  id: 'h1_2024-03-05',
  habitId: 'h1',
  date: '2024-03-05',
  count: 3,
  completedAt: '2024-03-05T07:29:59.999Z',
};

const streak: Streak = { habitId: 'h1', current: 2, longest: 9, lastCompletedDate: '2024-03-05' };

/** What the legacy store would hand back after storing the write. */
function asRecord(write: { kind: string; recordName: string; fields: object }): LegacyRecord {
  return {
    kind: write.kind,
    recordName: write.recordName,
    recordChangeTag: 'tag',
    fields: write.fields,
  } as LegacyRecord;
}

/** Round trip through a write, also checking the store's own schema accepts the fields as they are. */
function roundTrip<K extends DualWrittenKind>(
  kind: K,
  entity: Parameters<typeof legacyUpsert<K>>[1],
) {
  const write = legacyUpsert(kind, entity);
  expect(legacyFieldSchemas[kind].parse(write.fields)).toEqual(write.fields);
  return mapLegacyRecord(asRecord(write));
}

const habits: Array<{ name: string; habit: Habit }> = [
  { name: 'daily', habit },
  { name: 'weekly', habit: { ...habit, schedule: { type: 'weekly', days: [6, 0, 3] } } },
  { name: 'timesPerWeek', habit: { ...habit, schedule: { type: 'timesPerWeek', count: 7 } } },
  { name: 'archived', habit: { ...habit, archived: true, targetPerDay: 100, version: 1 } },
  {
    name: 'all optional fields',
    habit: { ...habit, emoji: '🏃‍♀️', color: '#00ff7F', reminderTime: '23:59' },
  },
  { name: 'timestamps at the epoch', habit: { ...habit, createdAt: '1970-01-01T00:00:00.000Z' } },
];

describe('habitToLegacyFields', () => {
  it.each<{ name: string; habit: Habit; fields: object }>([
    {
      name: 'daily, timestamps as ms, Bool as 0/1, optional fields omitted',
      habit,
      fields: {
        CD_entityName: 'Habit',
        CD_id: 'h1',
        CD_name: 'Read',
        CD_scheduleType: 'daily',
        CD_targetPerDay: 1,
        CD_archived: 0,
        CD_createdAt: 1_700_000_000_000,
        CD_updatedAt: Date.UTC(2024, 2, 5, 7, 30, 0, 123),
        CD_version: 4,
      },
    },
    {
      name: 'weekly days as a list',
      habit: { ...habit, archived: true, schedule: { type: 'weekly', days: [1, 3, 5] } },
      fields: { CD_scheduleType: 'weekly', CD_scheduleDays: '1,3,5', CD_archived: 1 },
    },
    {
      name: 'timesPerWeek count',
      habit: { ...habit, schedule: { type: 'timesPerWeek', count: 3 } },
      fields: { CD_scheduleType: 'timesPerWeek', CD_timesPerWeek: 3 },
    },
    {
      name: 'optional fields',
      habit: { ...habit, emoji: '📚', color: '#112233', reminderTime: '06:00' },
      fields: { CD_emoji: '📚', CD_colorHex: '#112233', CD_reminderTime: '06:00' },
    },
  ])('$name', ({ habit: input, fields }) => {
    expect(habitToLegacyFields(input)).toMatchObject(fields);
  });

  it('writes only the current schedule type attribute and no undefined keys', () => {
    const fields = habitToLegacyFields(habit);
    expect(Object.keys(fields).sort()).toEqual(
      [
        'CD_entityName',
        'CD_id',
        'CD_name',
        'CD_scheduleType',
        'CD_targetPerDay',
        'CD_archived',
        'CD_createdAt',
        'CD_updatedAt',
        'CD_version',
      ].sort(),
    );
  });

  it('refuses an unparsable timestamp rather than write NaN', () => {
    expect(() => habitToLegacyFields({ ...habit, createdAt: 'yesterday' })).toThrow(RangeError);
  });
});

describe('completionToLegacyFields', () => {
  it('points CD_habit at the habit record and converts timestamps', () => {
    expect(completionToLegacyFields({ ...completion, note: 'ok' })).toEqual({
      CD_entityName: 'Completion',
      CD_id: 'h1_2024-03-05',
      CD_habit: 'CD_Habit_h1',
      CD_date: '2024-03-05',
      CD_count: 3,
      CD_note: 'ok',
      CD_completedAt: Date.UTC(2024, 2, 5, 7, 29, 59, 999),
      CD_createdAt: 1_700_000_000_000,
      CD_updatedAt: Date.UTC(2024, 2, 5, 7, 30, 0, 123),
      CD_version: 4,
    });
  });

  it('omits an absent note', () => {
    expect(completionToLegacyFields(completion)).not.toHaveProperty('CD_note');
  });
});

describe('streakToLegacyFields', () => {
  it.each([
    { streak, last: { CD_lastCompletedDate: '2024-03-05' } },
    { streak: { ...streak, lastCompletedDate: null }, last: {} },
  ])('lastCompletedDate $streak.lastCompletedDate', ({ streak: input, last }) => {
    expect(streakToLegacyFields(input)).toEqual({
      CD_entityName: 'Streak',
      CD_habit: 'CD_Habit_h1',
      CD_current: 2,
      CD_longest: 9,
      ...last,
    });
  });
});

describe('legacyUpsert and legacyDelete', () => {
  it.each([
    { kind: 'habit' as const, entity: habit, recordName: 'CD_Habit_h1' },
    { kind: 'completion' as const, entity: completion, recordName: 'CD_Completion_h1_2024-03-05' },
    { kind: 'streak' as const, entity: streak, recordName: 'CD_Streak_h1' },
  ])('upserts a $kind as $recordName', ({ kind, entity, recordName }) => {
    const write = legacyUpsert(kind, entity as never);
    expect(write).toEqual({ op: 'upsert', kind, recordName, fields: expect.any(Object) });
    expect(write).not.toHaveProperty('recordChangeTag');
  });

  it('builds writes the legacy store takes', () => {
    const writes: LegacyWrite[] = [legacyUpsert('habit', habit), legacyDelete('habit', 'h1')];
    expect(writes).toHaveLength(2);
  });

  it('carries a known change tag', () => {
    expect(legacyUpsert('habit', habit, 'tag-7')).toEqual({
      op: 'upsert',
      kind: 'habit',
      recordName: 'CD_Habit_h1',
      fields: habitToLegacyFields(habit),
      recordChangeTag: 'tag-7',
    });
  });

  it.each([
    { kind: 'habit' as const, id: 'h1', recordName: 'CD_Habit_h1' },
    { kind: 'completion' as const, id: 'h1_2024-03-05', recordName: 'CD_Completion_h1_2024-03-05' },
    { kind: 'xpEvent' as const, id: 'x1', recordName: 'CD_XPEvent_x1' },
    { kind: 'streak' as const, id: 'h1', recordName: 'CD_Streak_h1' },
  ])('deletes a $kind as $recordName', ({ kind, id, recordName }) => {
    expect(legacyDelete(kind, id)).toEqual({ op: 'delete', recordName });
    expect(legacyDelete(kind, id, 't')).toEqual({ op: 'delete', recordName, recordChangeTag: 't' });
  });
});

describe('round trip: mapLegacyRecord of a dual-write gives the entity back', () => {
  it.each(habits)('habit: $name', ({ habit: input }) => {
    expect(roundTrip('habit', input)).toEqual({ kind: 'habit', id: input.id, habit: input });
  });

  it.each([
    { name: 'without a note', completion },
    { name: 'with a note', completion: { ...completion, note: 'x'.repeat(500) } },
    { name: 'count 1000', completion: { ...completion, count: 1000, version: 99 } },
  ])('completion: $name', ({ completion: input }) => {
    expect(roundTrip('completion', input)).toEqual({
      kind: 'completion',
      id: input.id,
      habitId: input.habitId,
      completion: input,
    });
  });

  it.each([
    { name: 'with a last day', streak },
    {
      name: 'never completed',
      streak: { habitId: 'h-2', current: 0, longest: 0, lastCompletedDate: null },
    },
  ])('streak: $name', ({ streak: input }) => {
    expect(roundTrip('streak', input)).toEqual({
      kind: 'streak',
      habitId: input.habitId,
      streak: input,
    });
  });

  it('holds for generated habits and completions', () => {
    // A fixed-seed generator: reproducible, yet covers combinations no table lists.
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(values: readonly T[]): T => values[next(values.length)];
    const iso = () => new Date(next(2 ** 31) * 1000 + next(1000)).toISOString();

    for (let i = 0; i < 300; i += 1) {
      const id = `h-${i.toString(36)}`;
      const days = [...new Set(Array.from({ length: 1 + next(7) }, () => next(7)))];
      const generated: Habit = {
        id,
        name: pick(['Read', 'Walk the dog', 'x'.repeat(100), 'Ünïcödé 🧘']),
        schedule: pick([
          { type: 'daily' as const },
          { type: 'weekly' as const, days },
          { type: 'timesPerWeek' as const, count: 1 + next(7) },
        ]),
        targetPerDay: 1 + next(100),
        archived: next(2) === 1,
        createdAt: iso(),
        updatedAt: iso(),
        version: 1 + next(1000),
        ...(next(2) ? { emoji: pick(['🔥', 'x'.repeat(16)]) } : {}),
        ...(next(2) ? { color: pick(['#000000', '#ABCdef']) } : {}),
        ...(next(2)
          ? {
              reminderTime: `${String(next(24)).padStart(2, '0')}:${String(next(60)).padStart(2, '0')}`,
            }
          : {}),
      };
      expect(roundTrip('habit', generated)).toEqual({ kind: 'habit', id, habit: generated });

      const date = new Date(Date.UTC(2020, 0, 1 + next(2000))).toISOString().slice(0, 10);
      const generatedCompletion: Completion = {
        id: `${id}_${date}`,
        habitId: id,
        date,
        count: 1 + next(1000),
        completedAt: iso(),
        createdAt: iso(),
        updatedAt: iso(),
        version: 1 + next(1000),
        ...(next(2) ? { note: pick(['done', 'x'.repeat(500)]) } : {}),
      };
      expect(roundTrip('completion', generatedCompletion)).toEqual({
        kind: 'completion',
        id: generatedCompletion.id,
        habitId: id,
        completion: generatedCompletion,
      });
    }
  });
});
