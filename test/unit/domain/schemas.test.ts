import type { z } from 'zod';
import {
  completionDeleteSchema,
  completionListSchema,
  completionLogSchema,
} from '../../../functions/src/domain/completion';
import { habitCreateSchema, habitUpdateSchema } from '../../../functions/src/domain/habit';
import { settingsSchema } from '../../../functions/src/domain/settings';

type Path = (string | number)[];

/** The paths of the issues a rejected input raised (a schema must reject it). */
function issuePaths(schema: z.ZodType, input: unknown): Path[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((issue) => issue.path as Path);
}

const habit = { name: 'Read', schedule: { type: 'daily' } };

describe('habitCreateSchema', () => {
  it.each([
    {
      name: 'minimal input, with defaults',
      input: habit,
      output: { name: 'Read', schedule: { type: 'daily' }, targetPerDay: 1, archived: false },
    },
    {
      name: 'name trimmed',
      input: { ...habit, name: '  Read  ' },
      output: { ...habit, name: 'Read', targetPerDay: 1, archived: false },
    },
    {
      name: 'every field',
      input: {
        id: 'habit-1',
        name: 'Run',
        emoji: '🏃',
        color: '#a1B2c3',
        schedule: { type: 'weekly', days: [1, 3, 5] },
        targetPerDay: 100,
        reminderTime: '23:59',
        archived: true,
      },
      output: {
        id: 'habit-1',
        name: 'Run',
        emoji: '🏃',
        color: '#a1B2c3',
        schedule: { type: 'weekly', days: [1, 3, 5] },
        targetPerDay: 100,
        reminderTime: '23:59',
        archived: true,
      },
    },
    {
      name: 'times per week',
      input: { ...habit, schedule: { type: 'timesPerWeek', count: 7 } },
      output: {
        ...habit,
        schedule: { type: 'timesPerWeek', count: 7 },
        targetPerDay: 1,
        archived: false,
      },
    },
    {
      name: 'a 100-character name',
      input: { ...habit, name: 'x'.repeat(100) },
      output: { ...habit, name: 'x'.repeat(100), targetPerDay: 1, archived: false },
    },
    {
      name: 'a name of 100 characters after trim',
      input: { ...habit, name: ` ${'x'.repeat(100)} ` },
      output: { ...habit, name: 'x'.repeat(100), targetPerDay: 1, archived: false },
    },
  ])('accepts $name', ({ input, output }) => {
    expect(habitCreateSchema.parse(input)).toEqual(output);
  });

  // prettier-ignore
  const rejected = [
    { name: 'missing name', input: { schedule: { type: 'daily' } }, path: ['name'] },
    { name: 'blank name', input: { ...habit, name: '   ' }, path: ['name'] },
    { name: 'name over 100 characters', input: { ...habit, name: 'x'.repeat(101) }, path: ['name'] },
    { name: 'emoji over 16 characters', input: { ...habit, emoji: 'x'.repeat(17) }, path: ['emoji'] },
    { name: 'color without #', input: { ...habit, color: 'ff0000' }, path: ['color'] },
    { name: 'short color', input: { ...habit, color: '#fff' }, path: ['color'] },
    { name: 'non-hex color', input: { ...habit, color: '#gg0000' }, path: ['color'] },
    { name: 'missing schedule', input: { name: 'Read' }, path: ['schedule'] },
    { name: 'unknown schedule type', input: { ...habit, schedule: { type: 'monthly' } }, path: ['schedule', 'type'] },
    { name: 'weekly without days', input: { ...habit, schedule: { type: 'weekly' } }, path: ['schedule', 'days'] },
    { name: 'weekly with no days', input: { ...habit, schedule: { type: 'weekly', days: [] } }, path: ['schedule', 'days'] },
    { name: 'weekly with repeated days', input: { ...habit, schedule: { type: 'weekly', days: [1, 1] } }, path: ['schedule', 'days'] },
    { name: 'weekly with day 7', input: { ...habit, schedule: { type: 'weekly', days: [1, 7] } }, path: ['schedule', 'days', 1] },
    { name: 'weekly with day -1', input: { ...habit, schedule: { type: 'weekly', days: [-1] } }, path: ['schedule', 'days', 0] },
    { name: 'weekly with a fractional day', input: { ...habit, schedule: { type: 'weekly', days: [1.5] } }, path: ['schedule', 'days', 0] },
    { name: 'times per week 0', input: { ...habit, schedule: { type: 'timesPerWeek', count: 0 } }, path: ['schedule', 'count'] },
    { name: 'times per week 8', input: { ...habit, schedule: { type: 'timesPerWeek', count: 8 } }, path: ['schedule', 'count'] },
    { name: 'unknown key in schedule', input: { ...habit, schedule: { type: 'daily', days: [1] } }, path: ['schedule'] },
    { name: 'targetPerDay 0', input: { ...habit, targetPerDay: 0 }, path: ['targetPerDay'] },
    { name: 'targetPerDay 101', input: { ...habit, targetPerDay: 101 }, path: ['targetPerDay'] },
    { name: 'fractional targetPerDay', input: { ...habit, targetPerDay: 1.5 }, path: ['targetPerDay'] },
    { name: 'reminder 24:00', input: { ...habit, reminderTime: '24:00' }, path: ['reminderTime'] },
    { name: 'reminder 9:00', input: { ...habit, reminderTime: '9:00' }, path: ['reminderTime'] },
    { name: 'archived as a string', input: { ...habit, archived: 'yes' }, path: ['archived'] },
    { name: 'id with a slash', input: { ...habit, id: 'a/b' }, path: ['id'] },
    { name: 'id with an underscore', input: { ...habit, id: 'a_b' }, path: ['id'] },
    { name: 'id over 64 characters', input: { ...habit, id: 'a'.repeat(65) }, path: ['id'] },
    { name: 'unknown key', input: { ...habit, streak: 3 }, path: [] },
  ];
  it.each(rejected)('rejects $name on $path', ({ input, path }) => {
    expect(issuePaths(habitCreateSchema, input)).toContainEqual(path);
  });

  it('names the unknown key', () => {
    const result = habitCreateSchema.safeParse({ ...habit, streak: 3 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['streak'] });
  });

  it.each([null, undefined, 'Read', [], 42])('rejects the non-object %p', (input) => {
    expect(habitCreateSchema.safeParse(input).success).toBe(false);
  });
});

describe('habitUpdateSchema', () => {
  it.each([
    { name: 'one field', input: { id: 'h1', name: ' Run ' }, output: { id: 'h1', name: 'Run' } },
    {
      name: 'expected version and a schedule',
      input: { id: 'h1', expectedVersion: 3, schedule: { type: 'timesPerWeek', count: 2 } },
      output: { id: 'h1', expectedVersion: 3, schedule: { type: 'timesPerWeek', count: 2 } },
    },
    {
      name: 'optional fields cleared with null',
      input: { id: 'h1', emoji: null, color: null, reminderTime: null },
      output: { id: 'h1', emoji: null, color: null, reminderTime: null },
    },
    {
      name: 'archiving',
      input: { id: 'h1', archived: true },
      output: { id: 'h1', archived: true },
    },
  ])('accepts $name, with no defaults added', ({ input, output }) => {
    expect(habitUpdateSchema.parse(input)).toEqual(output);
  });

  // prettier-ignore
  const rejected = [
    { name: 'missing id', input: { name: 'Run' }, path: ['id'] },
    { name: 'nothing to change', input: { id: 'h1' }, path: [] },
    { name: 'only an expected version', input: { id: 'h1', expectedVersion: 2 }, path: [] },
    { name: 'expected version 0', input: { id: 'h1', expectedVersion: 0, name: 'Run' }, path: ['expectedVersion'] },
    { name: 'blank name', input: { id: 'h1', name: ' ' }, path: ['name'] },
    { name: 'null name', input: { id: 'h1', name: null }, path: ['name'] },
    { name: 'bad color', input: { id: 'h1', color: 'red' }, path: ['color'] },
    { name: 'weekly with repeated days', input: { id: 'h1', schedule: { type: 'weekly', days: [0, 0] } }, path: ['schedule', 'days'] },
    { name: 'null targetPerDay', input: { id: 'h1', targetPerDay: null }, path: ['targetPerDay'] },
    { name: 'unknown key', input: { id: 'h1', name: 'Run', version: 2 }, path: [] },
  ];
  it.each(rejected)('rejects $name on $path', ({ input, path }) => {
    expect(issuePaths(habitUpdateSchema, input)).toContainEqual(path);
  });
});

describe('completionLogSchema', () => {
  it.each([
    {
      name: 'count defaulting to 1',
      input: { habitId: 'h1', date: '2026-03-15' },
      output: { habitId: 'h1', date: '2026-03-15', count: 1 },
    },
    {
      name: 'count and note',
      input: { habitId: 'h1', date: '2024-02-29', count: 1000, note: 'x'.repeat(500) },
      output: { habitId: 'h1', date: '2024-02-29', count: 1000, note: 'x'.repeat(500) },
    },
  ])('accepts $name', ({ input, output }) => {
    expect(completionLogSchema.parse(input)).toEqual(output);
  });

  // prettier-ignore
  const rejected = [
    { name: 'missing habitId', input: { date: '2026-03-15' }, path: ['habitId'] },
    { name: 'missing date', input: { habitId: 'h1' }, path: ['date'] },
    { name: 'impossible date', input: { habitId: 'h1', date: '2026-02-30' }, path: ['date'] },
    { name: 'timestamp as date', input: { habitId: 'h1', date: '2026-03-15T00:00:00Z' }, path: ['date'] },
    { name: 'count 0', input: { habitId: 'h1', date: '2026-03-15', count: 0 }, path: ['count'] },
    { name: 'count 1001', input: { habitId: 'h1', date: '2026-03-15', count: 1001 }, path: ['count'] },
    { name: 'fractional count', input: { habitId: 'h1', date: '2026-03-15', count: 1.5 }, path: ['count'] },
    { name: 'note over 500 characters', input: { habitId: 'h1', date: '2026-03-15', note: 'x'.repeat(501) }, path: ['note'] },
    { name: 'unknown key', input: { habitId: 'h1', date: '2026-03-15', completedAt: '2026-03-15T10:00:00Z' }, path: [] },
  ];
  it.each(rejected)('rejects $name on $path', ({ input, path }) => {
    expect(issuePaths(completionLogSchema, input)).toContainEqual(path);
  });
});

describe('completionDeleteSchema', () => {
  it('accepts a habit and day', () => {
    expect(completionDeleteSchema.parse({ habitId: 'h1', date: '2026-03-15' })).toEqual({
      habitId: 'h1',
      date: '2026-03-15',
    });
  });

  // prettier-ignore
  const rejected = [
    { name: 'a count', input: { habitId: 'h1', date: '2026-03-15', count: 1 }, path: [] },
    { name: 'a bad date', input: { habitId: 'h1', date: '2026-13-01' }, path: ['date'] },
  ];
  it.each(rejected)('rejects $name on $path', ({ input, path }) => {
    expect(issuePaths(completionDeleteSchema, input)).toContainEqual(path);
  });
});

describe('completionListSchema', () => {
  it.each([
    { name: 'a single day', input: { from: '2026-03-15', to: '2026-03-15' } },
    { name: 'exactly 366 days', input: { from: '2026-01-01', to: '2027-01-02' } },
    { name: 'a leap year', input: { habitId: 'h1', from: '2024-01-01', to: '2024-12-31' } },
  ])('accepts $name', ({ input }) => {
    expect(completionListSchema.parse(input)).toEqual(input);
  });

  // prettier-ignore
  const rejected = [
    { name: 'a range over 366 days', input: { from: '2026-01-01', to: '2027-01-03' }, path: ['to'] },
    { name: 'a range of years', input: { from: '2020-01-01', to: '2026-01-01' }, path: ['to'] },
    { name: 'to before from', input: { from: '2026-03-15', to: '2026-03-14' }, path: ['to'] },
    { name: 'missing from', input: { to: '2026-03-14' }, path: ['from'] },
    { name: 'a bad to', input: { from: '2026-03-15', to: '2026-02-30' }, path: ['to'] },
    { name: 'a bad from, and no range issue', input: { from: '2026-02-30', to: '2026-03-01' }, path: ['from'] },
    { name: 'a bad habitId', input: { habitId: '', from: '2026-03-15', to: '2026-03-15' }, path: ['habitId'] },
    { name: 'an unknown key', input: { from: '2026-03-15', to: '2026-03-15', limit: 10 }, path: [] },
  ];
  it.each(rejected)('rejects $name on $path', ({ input, path }) => {
    expect(issuePaths(completionListSchema, input)).toEqual([path]);
  });
});

describe('settingsSchema', () => {
  it.each([
    { timeZone: 'UTC' },
    { timeZone: 'Europe/Berlin', remindersEnabled: false, locale: 'de-DE' },
    { timeZone: 'Pacific/Auckland', locale: 'en' },
  ])('accepts %j', (input) => {
    expect(settingsSchema.parse(input)).toEqual(input);
  });

  // prettier-ignore
  const rejected = [
    { name: 'missing time zone', input: {}, path: ['timeZone'] },
    { name: 'unknown time zone', input: { timeZone: 'Mars/Olympus' }, path: ['timeZone'] },
    { name: 'time zone over 64 characters', input: { timeZone: `Europe/${'x'.repeat(60)}` }, path: ['timeZone'] },
    { name: 'reminders as a string', input: { timeZone: 'UTC', remindersEnabled: 'yes' }, path: ['remindersEnabled'] },
    { name: 'one-letter locale', input: { timeZone: 'UTC', locale: 'e' }, path: ['locale'] },
    { name: 'unknown key', input: { timeZone: 'UTC', theme: 'dark' }, path: [] },
  ];
  it.each(rejected)('rejects $name on $path', ({ input, path }) => {
    expect(issuePaths(settingsSchema, input)).toContainEqual(path);
  });
});
