import type { Schedule } from '../../../functions/src/domain/habit';
import {
  type LocalDay,
  addDays,
  daysBetween,
  localDayAt,
} from '../../../functions/src/domain/localDay';
import {
  type Streak,
  computeStreak,
  isScheduledDay,
  streakSchema,
  withLongestAtLeast,
} from '../../../functions/src/domain/streak';

type Completion = { date: LocalDay; count: number };

/** Every day from `from` to `to` inclusive, each once. */
function span(from: LocalDay, to: LocalDay, count = 1): Completion[] {
  return Array.from({ length: daysBetween(from, to) + 1 }, (_, i) => ({
    date: addDays(from, i),
    count,
  }));
}

function on(...dates: LocalDay[]): Completion[] {
  return dates.map((date) => ({ date, count: 1 }));
}

function counts(entries: Record<LocalDay, number>): Completion[] {
  return Object.entries(entries).map(([date, count]) => ({ date, count }));
}

const daily: Schedule = { type: 'daily' };
// March 2026: Sundays 1, 8, 15, 22; Mondays 2, 9, 16, 23.
const monWedFri: Schedule = { type: 'weekly', days: [1, 3, 5] };
const weekend: Schedule = { type: 'weekly', days: [6, 0] };
const sundays: Schedule = { type: 'weekly', days: [0] };
const threePerWeek: Schedule = { type: 'timesPerWeek', count: 3 };

interface Case {
  name: string;
  schedule: Schedule;
  target?: number;
  completions: Completion[];
  today: LocalDay;
  current: number;
  longest: number;
  last: LocalDay | null;
}

function check({ schedule, target = 1, completions, today, current, longest, last }: Case) {
  const streak = computeStreak({
    habitId: 'h1',
    schedule,
    targetPerDay: target,
    completions,
    today,
  });
  expect(streak).toEqual({ habitId: 'h1', current, longest, lastCompletedDate: last });
  expect(streakSchema.safeParse(streak).success).toBe(true);
}

describe('computeStreak: daily', () => {
  // prettier-ignore
  const cases: Case[] = [
    { name: 'empty input', schedule: daily, completions: [], today: '2026-03-15', current: 0, longest: 0, last: null },
    { name: 'only today', schedule: daily, completions: on('2026-03-15'), today: '2026-03-15', current: 1, longest: 1, last: '2026-03-15' },
    { name: 'five days ending today', schedule: daily, completions: span('2026-03-11', '2026-03-15'), today: '2026-03-15', current: 5, longest: 5, last: '2026-03-15' },
    { name: 'today not yet done stays alive', schedule: daily, completions: span('2026-03-10', '2026-03-14'), today: '2026-03-15', current: 5, longest: 5, last: '2026-03-14' },
    { name: 'a missed day kills it, longest kept', schedule: daily, completions: span('2026-03-09', '2026-03-13'), today: '2026-03-15', current: 0, longest: 5, last: '2026-03-13' },
    { name: 'gap: current run after a longer one', schedule: daily, completions: [...span('2026-03-01', '2026-03-08'), ...span('2026-03-10', '2026-03-15')], today: '2026-03-15', current: 6, longest: 8, last: '2026-03-15' },
    { name: 'gap: current run is the longest', schedule: daily, completions: [...span('2026-03-01', '2026-03-02'), ...span('2026-03-05', '2026-03-15')], today: '2026-03-15', current: 11, longest: 11, last: '2026-03-15' },
    { name: 'order of input does not matter', schedule: daily, completions: on('2026-03-15', '2026-03-13', '2026-03-14', '2026-03-10'), today: '2026-03-15', current: 3, longest: 3, last: '2026-03-15' },
    { name: 'future completions ignored', schedule: daily, completions: on('2026-03-14', '2026-03-15', '2026-03-16', '2026-03-17'), today: '2026-03-15', current: 2, longest: 2, last: '2026-03-15' },
    { name: 'only future completions', schedule: daily, completions: on('2026-03-16', '2027-01-01'), today: '2026-03-15', current: 0, longest: 0, last: null },
    { name: 'future completions do not bridge a gap', schedule: daily, completions: on('2026-03-13', '2026-03-16', '2026-03-17'), today: '2026-03-15', current: 0, longest: 1, last: '2026-03-13' },
    { name: 'month boundary (February, non-leap)', schedule: daily, completions: span('2026-02-26', '2026-03-02'), today: '2026-03-02', current: 5, longest: 5, last: '2026-03-02' },
    { name: 'month boundary (leap day)', schedule: daily, completions: span('2024-02-27', '2024-03-01'), today: '2024-03-01', current: 4, longest: 4, last: '2024-03-01' },
    { name: 'missing leap day breaks it', schedule: daily, completions: on('2024-02-27', '2024-02-28', '2024-03-01'), today: '2024-03-01', current: 1, longest: 2, last: '2024-03-01' },
    { name: 'year boundary', schedule: daily, completions: span('2025-12-29', '2026-01-02'), today: '2026-01-02', current: 5, longest: 5, last: '2026-01-02' },
    { name: 'year boundary, new year not yet done', schedule: daily, completions: span('2025-12-29', '2025-12-31'), today: '2026-01-01', current: 3, longest: 3, last: '2025-12-31' },
    { name: 'malformed dates and counts are ignored', schedule: daily, completions: [...on('2026-03-15', '2026-02-30', 'yesterday'), { date: '2026-03-14', count: Number.NaN }], today: '2026-03-15', current: 1, longest: 1, last: '2026-03-15' },
  ];
  it.each(cases)('$name', check);
});

describe('computeStreak: targetPerDay > 1', () => {
  // prettier-ignore
  const cases: Case[] = [
    { name: 'days below target do not count', schedule: daily, target: 3, completions: counts({ '2026-03-13': 3, '2026-03-14': 2, '2026-03-15': 3 }), today: '2026-03-15', current: 1, longest: 1, last: '2026-03-15' },
    { name: 'days at or above target count', schedule: daily, target: 3, completions: counts({ '2026-03-13': 5, '2026-03-14': 3, '2026-03-15': 100 }), today: '2026-03-15', current: 3, longest: 3, last: '2026-03-15' },
    { name: 'today below target stays alive', schedule: daily, target: 2, completions: counts({ '2026-03-14': 2, '2026-03-15': 1 }), today: '2026-03-15', current: 1, longest: 1, last: '2026-03-14' },
    { name: 'duplicates of a day are summed', schedule: daily, target: 2, completions: [...on('2026-03-14', '2026-03-14'), ...counts({ '2026-03-15': 2 })], today: '2026-03-15', current: 2, longest: 2, last: '2026-03-15' },
    { name: 'nothing reaches target', schedule: daily, target: 10, completions: span('2026-03-01', '2026-03-15', 9), today: '2026-03-15', current: 0, longest: 0, last: null },
    { name: 'weekly, below target on a scheduled day', schedule: monWedFri, target: 2, completions: counts({ '2026-03-09': 2, '2026-03-11': 1, '2026-03-13': 2 }), today: '2026-03-13', current: 1, longest: 1, last: '2026-03-13' },
  ];
  it.each(cases)('$name', check);
});

describe('computeStreak: weekly', () => {
  const mwf = on('2026-03-02', '2026-03-04', '2026-03-06', '2026-03-09', '2026-03-11');
  // prettier-ignore
  const cases: Case[] = [
    { name: 'done today (Fri)', schedule: monWedFri, completions: [...mwf, ...on('2026-03-13')], today: '2026-03-13', current: 6, longest: 6, last: '2026-03-13' },
    { name: 'today (Fri) not yet done', schedule: monWedFri, completions: mwf, today: '2026-03-13', current: 5, longest: 5, last: '2026-03-11' },
    { name: 'today is an unscheduled Thursday', schedule: monWedFri, completions: mwf, today: '2026-03-12', current: 5, longest: 5, last: '2026-03-11' },
    { name: 'weekend after the last scheduled day', schedule: monWedFri, completions: [...mwf, ...on('2026-03-13')], today: '2026-03-15', current: 6, longest: 6, last: '2026-03-13' },
    { name: 'next Monday not yet done', schedule: monWedFri, completions: [...mwf, ...on('2026-03-13')], today: '2026-03-16', current: 6, longest: 6, last: '2026-03-13' },
    { name: 'missed Monday kills it by Tuesday', schedule: monWedFri, completions: [...mwf, ...on('2026-03-13')], today: '2026-03-17', current: 0, longest: 6, last: '2026-03-13' },
    { name: 'missed Wednesday breaks the run', schedule: monWedFri, completions: on('2026-03-02', '2026-03-04', '2026-03-06', '2026-03-09', '2026-03-13'), today: '2026-03-13', current: 1, longest: 4, last: '2026-03-13' },
    { name: 'unscheduled days neither count nor break', schedule: monWedFri, completions: on('2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07'), today: '2026-03-07', current: 3, longest: 3, last: '2026-03-06' },
    { name: 'only unscheduled days', schedule: monWedFri, completions: on('2026-03-03', '2026-03-05', '2026-03-07', '2026-03-08'), today: '2026-03-08', current: 0, longest: 0, last: null },
    { name: 'Sundays only, six days later still alive', schedule: sundays, completions: on('2026-03-01', '2026-03-08', '2026-03-15'), today: '2026-03-21', current: 3, longest: 3, last: '2026-03-15' },
    { name: 'Sundays only, next Sunday not yet done', schedule: sundays, completions: on('2026-03-01', '2026-03-08', '2026-03-15'), today: '2026-03-22', current: 3, longest: 3, last: '2026-03-15' },
    { name: 'Sundays only, a Sunday missed', schedule: sundays, completions: on('2026-03-01', '2026-03-08', '2026-03-15'), today: '2026-03-23', current: 0, longest: 3, last: '2026-03-15' },
    { name: 'weekends run across ISO weeks and months', schedule: weekend, completions: on('2026-02-28', '2026-03-01', '2026-03-07', '2026-03-08', '2026-03-14'), today: '2026-03-14', current: 5, longest: 5, last: '2026-03-14' },
    { name: 'weekends, a Sunday missed', schedule: weekend, completions: on('2026-02-28', '2026-03-01', '2026-03-07', '2026-03-14', '2026-03-15'), today: '2026-03-18', current: 2, longest: 3, last: '2026-03-15' },
    { name: 'weekly across the year boundary', schedule: monWedFri, completions: on('2025-12-26', '2025-12-29', '2025-12-31', '2026-01-02'), today: '2026-01-04', current: 4, longest: 4, last: '2026-01-02' },
  ];
  it.each(cases)('$name', check);
});

describe('computeStreak: timesPerWeek', () => {
  // ISO weeks: Feb 23-Mar 1, Mar 2-8, Mar 9-15, Mar 16-22, Mar 23-29.
  const twoWeeks = on(
    '2026-03-02',
    '2026-03-04',
    '2026-03-06',
    '2026-03-09',
    '2026-03-10',
    '2026-03-11',
  );
  const once: Schedule = { type: 'timesPerWeek', count: 1 };
  const everyDay: Schedule = { type: 'timesPerWeek', count: 7 };
  // prettier-ignore
  const cases: Case[] = [
    { name: 'empty input', schedule: threePerWeek, completions: [], today: '2026-03-15', current: 0, longest: 0, last: null },
    { name: 'two counted weeks ending this week', schedule: threePerWeek, completions: twoWeeks, today: '2026-03-15', current: 2, longest: 2, last: '2026-03-11' },
    { name: 'this week not yet reached stays alive', schedule: threePerWeek, completions: [...twoWeeks, ...on('2026-03-16')], today: '2026-03-18', current: 2, longest: 2, last: '2026-03-11' },
    { name: 'this week reached', schedule: threePerWeek, completions: [...twoWeeks, ...on('2026-03-16', '2026-03-17', '2026-03-18')], today: '2026-03-18', current: 3, longest: 3, last: '2026-03-18' },
    { name: 'last counted week two weeks ago is dead', schedule: threePerWeek, completions: on('2026-03-02', '2026-03-04', '2026-03-06', '2026-03-10'), today: '2026-03-18', current: 0, longest: 1, last: '2026-03-06' },
    { name: 'a short week breaks the run', schedule: threePerWeek, completions: on('2026-02-23', '2026-02-24', '2026-02-25', '2026-03-02', '2026-03-03', '2026-03-09', '2026-03-12', '2026-03-15'), today: '2026-03-15', current: 1, longest: 1, last: '2026-03-15' },
    { name: 'Sunday belongs to the week before', schedule: threePerWeek, completions: on('2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'), today: '2026-03-08', current: 1, longest: 1, last: '2026-03-01' },
    { name: 'week across a year boundary', schedule: threePerWeek, completions: on('2025-12-22', '2025-12-24', '2025-12-28', '2025-12-30', '2025-12-31', '2026-01-01'), today: '2026-01-05', current: 2, longest: 2, last: '2026-01-01' },
    { name: 'days below target do not count', schedule: threePerWeek, target: 2, completions: counts({ '2026-03-09': 2, '2026-03-10': 1, '2026-03-11': 2, '2026-03-12': 3 }), today: '2026-03-15', current: 1, longest: 1, last: '2026-03-12' },
    { name: 'future days in this week ignored', schedule: threePerWeek, completions: on('2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12'), today: '2026-03-10', current: 0, longest: 0, last: null },
    { name: 'count 1: four weeks in a row', schedule: once, completions: on('2026-03-01', '2026-03-08', '2026-03-09', '2026-03-22'), today: '2026-03-22', current: 4, longest: 4, last: '2026-03-22' },
    { name: 'count 1: a week skipped', schedule: once, completions: on('2026-03-01', '2026-03-08', '2026-03-09', '2026-03-23'), today: '2026-03-23', current: 1, longest: 3, last: '2026-03-23' },
    { name: 'count 7: every day of the week', schedule: everyDay, completions: [...span('2026-03-02', '2026-03-08'), ...span('2026-03-09', '2026-03-14')], today: '2026-03-15', current: 1, longest: 1, last: '2026-03-08' },
  ];
  it.each(cases)('$name', check);
});

describe('computeStreak: today from an instant, across time zones and DST', () => {
  const ny1 = span('2026-03-01', '2026-03-08');
  const ny2 = span('2026-10-25', '2026-11-01');
  const berlin1 = span('2026-03-22', '2026-03-29');
  const berlin2 = span('2026-10-18', '2026-10-25');
  const akl1 = span('2026-03-30', '2026-04-05');
  const akl2 = span('2026-09-20', '2026-09-27');
  const kolkata = span('2026-03-02', '2026-03-08');
  // prettier-ignore
  const cases = [
    // New York springs forward at 07:00Z on 2026-03-08 (EST -5 to EDT -4).
    { zone: 'America/New_York', instant: '2026-03-08T06:59:00Z', today: '2026-03-08', completions: ny1, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-03-08T07:00:00Z', today: '2026-03-08', completions: ny1, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-03-09T03:59:00Z', today: '2026-03-08', completions: ny1, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-03-09T04:00:00Z', today: '2026-03-09', completions: ny1, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-03-10T03:59:00Z', today: '2026-03-09', completions: ny1, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-03-10T04:00:00Z', today: '2026-03-10', completions: ny1, current: 0, longest: 8 },
    // New York falls back at 06:00Z on 2026-11-01; 01:30 happens twice.
    { zone: 'America/New_York', instant: '2026-11-01T05:59:00Z', today: '2026-11-01', completions: ny2, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-11-01T06:30:00Z', today: '2026-11-01', completions: ny2, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-11-02T04:30:00Z', today: '2026-11-01', completions: ny2, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-11-02T05:00:00Z', today: '2026-11-02', completions: ny2, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-11-03T04:59:00Z', today: '2026-11-02', completions: ny2, current: 8, longest: 8 },
    { zone: 'America/New_York', instant: '2026-11-03T05:00:00Z', today: '2026-11-03', completions: ny2, current: 0, longest: 8 },
    // Berlin springs forward at 01:00Z on 2026-03-29; the 29th's completion is future until local midnight.
    { zone: 'Europe/Berlin', instant: '2026-03-28T22:59:00Z', today: '2026-03-28', completions: berlin1, current: 7, longest: 7 },
    { zone: 'Europe/Berlin', instant: '2026-03-28T23:00:00Z', today: '2026-03-29', completions: berlin1, current: 8, longest: 8 },
    { zone: 'Europe/Berlin', instant: '2026-03-29T21:59:00Z', today: '2026-03-29', completions: berlin1, current: 8, longest: 8 },
    { zone: 'Europe/Berlin', instant: '2026-03-29T22:00:00Z', today: '2026-03-30', completions: berlin1, current: 8, longest: 8 },
    { zone: 'Europe/Berlin', instant: '2026-03-30T22:00:00Z', today: '2026-03-31', completions: berlin1, current: 0, longest: 8 },
    // Berlin falls back at 01:00Z on 2026-10-25.
    { zone: 'Europe/Berlin', instant: '2026-10-24T21:59:00Z', today: '2026-10-24', completions: berlin2, current: 7, longest: 7 },
    { zone: 'Europe/Berlin', instant: '2026-10-25T22:59:00Z', today: '2026-10-25', completions: berlin2, current: 8, longest: 8 },
    { zone: 'Europe/Berlin', instant: '2026-10-25T23:00:00Z', today: '2026-10-26', completions: berlin2, current: 8, longest: 8 },
    { zone: 'Europe/Berlin', instant: '2026-10-26T23:00:00Z', today: '2026-10-27', completions: berlin2, current: 0, longest: 8 },
    // Auckland falls back (NZDT +13 to NZST +12) at 14:00Z on 2026-04-04, a calendar day ahead of UTC.
    { zone: 'Pacific/Auckland', instant: '2026-04-04T10:59:00Z', today: '2026-04-04', completions: akl1, current: 6, longest: 6 },
    { zone: 'Pacific/Auckland', instant: '2026-04-04T11:00:00Z', today: '2026-04-05', completions: akl1, current: 7, longest: 7 },
    { zone: 'Pacific/Auckland', instant: '2026-04-05T11:59:00Z', today: '2026-04-05', completions: akl1, current: 7, longest: 7 },
    { zone: 'Pacific/Auckland', instant: '2026-04-05T12:00:00Z', today: '2026-04-06', completions: akl1, current: 7, longest: 7 },
    { zone: 'Pacific/Auckland', instant: '2026-04-06T12:00:00Z', today: '2026-04-07', completions: akl1, current: 0, longest: 7 },
    // Auckland springs forward at 14:00Z on 2026-09-26.
    { zone: 'Pacific/Auckland', instant: '2026-09-26T11:59:00Z', today: '2026-09-26', completions: akl2, current: 7, longest: 7 },
    { zone: 'Pacific/Auckland', instant: '2026-09-26T12:00:00Z', today: '2026-09-27', completions: akl2, current: 8, longest: 8 },
    { zone: 'Pacific/Auckland', instant: '2026-09-27T10:59:00Z', today: '2026-09-27', completions: akl2, current: 8, longest: 8 },
    { zone: 'Pacific/Auckland', instant: '2026-09-27T11:00:00Z', today: '2026-09-28', completions: akl2, current: 8, longest: 8 },
    { zone: 'Pacific/Auckland', instant: '2026-09-28T11:00:00Z', today: '2026-09-29', completions: akl2, current: 0, longest: 8 },
    // Kolkata has no DST but a half-hour offset (+05:30).
    { zone: 'Asia/Kolkata', instant: '2026-03-08T18:29:00Z', today: '2026-03-08', completions: kolkata, current: 7, longest: 7 },
    { zone: 'Asia/Kolkata', instant: '2026-03-08T18:30:00Z', today: '2026-03-09', completions: kolkata, current: 7, longest: 7 },
    { zone: 'Asia/Kolkata', instant: '2026-03-09T18:29:00Z', today: '2026-03-09', completions: kolkata, current: 7, longest: 7 },
    { zone: 'Asia/Kolkata', instant: '2026-03-09T18:30:00Z', today: '2026-03-10', completions: kolkata, current: 0, longest: 7 },
    // The same instant is a different day, and so a different streak, in different zones.
    { zone: 'UTC', instant: '2026-03-10T02:00:00Z', today: '2026-03-10', completions: ny1, current: 0, longest: 8 },
    { zone: 'America/New_York', instant: '2026-03-10T02:00:00Z', today: '2026-03-09', completions: ny1, current: 8, longest: 8 },
  ];
  it.each(cases)('$zone at $instant is $today, current $current', (c) => {
    const today = localDayAt(new Date(c.instant), c.zone);
    expect(today).toBe(c.today);
    const streak = computeStreak({
      habitId: 'h1',
      schedule: daily,
      targetPerDay: 1,
      completions: c.completions,
      today,
    });
    expect(streak.current).toBe(c.current);
    expect(streak.longest).toBe(c.longest);
  });

  // The ISO week Mar 2-8 is counted, and stays "this week" until Sunday ends in New York.
  it.each([
    { instant: '2026-03-09T03:59:00Z', today: '2026-03-08', current: 1 },
    { instant: '2026-03-16T03:59:00Z', today: '2026-03-15', current: 1 },
    { instant: '2026-03-16T04:00:00Z', today: '2026-03-16', current: 0 },
  ])('timesPerWeek in New York at $instant', ({ instant, today, current }) => {
    const day = localDayAt(new Date(instant), 'America/New_York');
    expect(day).toBe(today);
    const streak = computeStreak({
      habitId: 'h1',
      schedule: threePerWeek,
      targetPerDay: 1,
      completions: on('2026-03-02', '2026-03-05', '2026-03-08'),
      today: day,
    });
    expect(streak).toEqual({ habitId: 'h1', current, longest: 1, lastCompletedDate: '2026-03-08' });
  });
});

describe('computeStreak: large histories', () => {
  const threeYears = span('2023-01-01', '2025-12-31');
  // A fixed permutation: deterministic, yet nothing like sorted.
  const shuffled = threeYears
    .map((completion, i) => ({ completion, key: (i * 7919) % threeYears.length }))
    .sort((a, b) => a.key - b.key)
    .map(({ completion }) => completion);

  // prettier-ignore
  const cases: Case[] = [
    { name: 'three years daily, all done', schedule: daily, completions: threeYears, today: '2025-12-31', current: 1096, longest: 1096, last: '2025-12-31' },
    { name: 'three years daily, shuffled', schedule: daily, completions: shuffled, today: '2025-12-31', current: 1096, longest: 1096, last: '2025-12-31' },
    { name: 'three years daily, leap day missed', schedule: daily, completions: threeYears.filter((c) => c.date !== '2024-02-29'), today: '2025-12-31', current: 671, longest: 671, last: '2025-12-31' },
    { name: 'three years daily, stopped a year ago', schedule: daily, completions: threeYears.filter((c) => c.date < '2024-12-25'), today: '2025-12-31', current: 0, longest: 724, last: '2024-12-24' },
    { name: 'three years daily, every 100th day missed', schedule: daily, completions: threeYears.filter((_, i) => i % 100 !== 99), today: '2025-12-31', current: 96, longest: 99, last: '2025-12-31' },
    // 2023-01-02 is a Monday.
    { name: 'three years of Mondays, alive over the weekend', schedule: { type: 'weekly', days: [1] }, completions: threeYears.filter((_, i) => i % 7 === 1), today: '2026-01-04', current: 157, longest: 157, last: '2025-12-29' },
    // 2023-01-01 is alone in its ISO week, and 2025-12-29..31 is this week's unfinished start.
    { name: 'three years every day, as 7 times per week', schedule: { type: 'timesPerWeek', count: 7 }, completions: threeYears, today: '2025-12-31', current: 156, longest: 156, last: '2025-12-28' },
    { name: 'a decade with years-long gaps', schedule: monWedFri, completions: [...span('2015-06-01', '2015-06-30'), ...span('2020-01-01', '2020-01-10'), ...span('2025-12-25', '2025-12-30')], today: '2025-12-31', current: 2, longest: 13, last: '2025-12-29' },
  ];
  it.each(cases)('$name', check);
});

describe('isScheduledDay', () => {
  it.each([
    { schedule: daily, day: '2026-03-01', expected: true },
    { schedule: daily, day: '2026-03-04', expected: true },
    { schedule: monWedFri, day: '2026-03-02', expected: true },
    { schedule: monWedFri, day: '2026-03-03', expected: false },
    { schedule: monWedFri, day: '2026-03-01', expected: false },
    { schedule: sundays, day: '2026-03-01', expected: true },
    { schedule: weekend, day: '2026-03-07', expected: true },
    { schedule: threePerWeek, day: '2026-03-03', expected: true },
  ])('$schedule.type $day -> $expected', ({ schedule, day, expected }) => {
    expect(isScheduledDay(schedule, day)).toBe(expected);
  });
});

describe('withLongestAtLeast: a migrated floor under the longest run', () => {
  const streak: Streak = { habitId: 'h1', current: 3, longest: 7, lastCompletedDate: '2026-03-17' };

  it.each([
    { name: 'no floor', floor: undefined, longest: 7 },
    { name: 'a lower floor', floor: 5, longest: 7 },
    { name: 'a floor of 0', floor: 0, longest: 7 },
    { name: 'a floor equal to the longest run', floor: 7, longest: 7 },
  ])('$name leaves the streak as it is', ({ floor }) => {
    expect(withLongestAtLeast(streak, floor)).toBe(streak);
  });

  it.each([
    { name: 'a higher floor', floor: 12 },
    { name: 'a floor just above', floor: 8 },
  ])('$name raises only the longest run', ({ floor }) => {
    expect(withLongestAtLeast(streak, floor)).toEqual({ ...streak, longest: floor });
    expect(streak.longest).toBe(7);
  });

  it('raises the longest run of a habit with no completions left', () => {
    const empty: Streak = { habitId: 'h1', current: 0, longest: 0, lastCompletedDate: null };

    expect(withLongestAtLeast(empty, 40)).toEqual({ ...empty, longest: 40 });
  });
});

it('rejects a malformed today', () => {
  expect(() =>
    computeStreak({
      habitId: 'h1',
      schedule: daily,
      targetPerDay: 1,
      completions: [],
      today: '2026-02-30',
    }),
  ).toThrow(RangeError);
});

describe('computeStreak agrees with a day-by-day walk back from today', () => {
  /** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const today = '2026-03-18';
  const first = '2025-09-01';

  function reference(schedule: Schedule, target: number, completions: Completion[]) {
    const total = new Map<LocalDay, number>();
    for (const c of completions) total.set(c.date, (total.get(c.date) ?? 0) + c.count);
    const counts = (day: LocalDay) =>
      day <= today && (total.get(day) ?? 0) >= target && isScheduledDay(schedule, day);
    const units: boolean[] = []; // oldest first, one per scheduled day or ISO week
    if (schedule.type === 'timesPerWeek') {
      for (let monday = '2025-09-01'; monday <= today; monday = addDays(monday, 7)) {
        const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
        units.push(days.filter(counts).length >= schedule.count);
      }
    } else {
      for (let day = first; day <= today; day = addDays(day, 1)) {
        if (isScheduledDay(schedule, day)) units.push(counts(day));
      }
    }
    let longest = 0;
    let run = 0;
    for (const ok of units) {
      run = ok ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    // The unit holding today may still be open: only a finished unit left undone ends the run.
    const todayIsLastUnit = schedule.type === 'timesPerWeek' || isScheduledDay(schedule, today);
    let i = units.length - 1;
    if (todayIsLastUnit && !units[i]) i -= 1;
    let current = 0;
    while (i >= 0 && units[i]) {
      current += 1;
      i -= 1;
    }
    return { current, longest };
  }

  const schedules: Schedule[] = [
    daily,
    monWedFri,
    weekend,
    sundays,
    { type: 'weekly', days: [2, 4] },
    { type: 'timesPerWeek', count: 1 },
    threePerWeek,
    { type: 'timesPerWeek', count: 5 },
  ];
  const cases = schedules.flatMap((schedule) =>
    [1, 2, 3, 4, 5].map((seed) => ({ schedule, seed, label: JSON.stringify(schedule) })),
  );

  it.each(cases)('$label, seed $seed', ({ schedule, seed }) => {
    const next = random(seed);
    const density = 0.5 + next() / 2;
    const target = 1 + Math.floor(next() * 2);
    const completions: Completion[] = [];
    // Runs past today, so future completions are exercised too.
    for (let day = first; day <= '2026-03-25'; day = addDays(day, 1)) {
      if (next() < density) completions.push({ date: day, count: 1 + Math.floor(next() * 2) });
      if (next() < 0.05) completions.push({ date: day, count: 1 });
    }
    const streak = computeStreak({
      habitId: 'h1',
      schedule,
      targetPerDay: target,
      completions,
      today,
    });
    expect({ current: streak.current, longest: streak.longest }).toEqual(
      reference(schedule, target, completions),
    );
  });
});
