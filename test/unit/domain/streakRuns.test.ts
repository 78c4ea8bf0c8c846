import fc from 'fast-check';
import type { Schedule } from '../../../functions/src/domain/habit';
import { type LocalDay, addDays } from '../../../functions/src/domain/localDay';
import { computeStreak, weekBounds, weekOf } from '../../../functions/src/domain/streak';
import {
  type StreakSummary,
  missingWeek,
  streakFromSummary,
  summarize,
  withDayChanged,
  withUnit,
  withWeekDays,
} from '../../../functions/src/domain/streakRuns';

type Day = { date: LocalDay; count: number };
const START: LocalDay = '2026-02-20';
const TODAY: LocalDay = '2026-03-20';

const schedules = fc.oneof(
  fc.constant<Schedule>({ type: 'daily' }),
  fc
    .uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 })
    .map<Schedule>((days) => ({ type: 'weekly', days })),
  fc.integer({ min: 1, max: 7 }).map<Schedule>((count) => ({ type: 'timesPerWeek', count })),
);
/** One change to one day: its new count (0 deletes it). Days reach one day past today. */
const change = fc.record({
  offset: fc.integer({ min: 0, max: 29 }),
  count: fc.integer({ min: 0, max: 3 }),
});

/** The day counts after applying changes in order, as the completions collection holds them. */
function apply(changes: readonly { offset: number; count: number }[]): Map<LocalDay, number> {
  const days = new Map<LocalDay, number>();
  for (const { offset, count } of changes) {
    const date = addDays(START, offset);
    if (count === 0) days.delete(date);
    else days.set(date, count);
  }
  return days;
}
const asList = (days: Map<LocalDay, number>): Day[] =>
  [...days].map(([date, count]) => ({ date, count }));

/** What the repository does for one change: update, then read a week it lost, if any. */
function incrementally(
  schedule: Schedule,
  target: number,
  changes: { offset: number; count: number }[],
) {
  let summary: StreakSummary = summarize(schedule, target, []);
  const days = new Map<LocalDay, number>();
  for (const { offset, count } of changes) {
    const date = addDays(START, offset);
    if (count === 0) days.delete(date);
    else days.set(date, count);
    const inWeek = (unit: number) => {
      const { from, to } = weekBounds(unit);
      return asList(days).filter((d) => d.date >= from && d.date <= to);
    };
    summary = withDayChanged(summary, schedule, target, date, {
      dayCount: count,
      weekDays: inWeek(weekOf(date)),
    });
    const missing = missingWeek(summary, schedule);
    if (missing !== undefined) {
      summary = withWeekDays(summary, schedule, target, missing, inWeek(missing));
    }
  }
  return summary;
}

describe('streak runs', () => {
  it('join and split like a set of units', () => {
    expect(withUnit([], 5, true)).toEqual([5, 5]);
    expect(withUnit([1, 3, 5, 7], 4, true)).toEqual([1, 7]);
    expect(withUnit([1, 7], 4, false)).toEqual([1, 3, 5, 7]);
    expect(withUnit([1, 3], 9, true)).toEqual([1, 3, 9, 9]);
    expect(withUnit([5, 6], 1, true)).toEqual([1, 1, 5, 6]);
    expect(withUnit([1, 1], 1, false)).toEqual([]);
    expect(withUnit([1, 3], 2, true)).toEqual([1, 3]);
  });

  it('a summary of the whole history answers as computeStreak does, on any day', () => {
    fc.assert(
      fc.property(
        schedules,
        fc.integer({ min: 1, max: 3 }),
        fc.array(change, { maxLength: 40 }),
        fc.integer({ min: -3, max: 12 }),
        (schedule, target, changes, todayShift) => {
          const days = asList(apply(changes));
          const today = addDays(TODAY, todayShift);
          // The API allows one day ahead of the user's today: reads are checked from there on.
          fc.pre(days.every((d) => d.date <= addDays(today, 1)));
          const expected = computeStreak({
            habitId: 'h',
            schedule,
            targetPerDay: target,
            completions: days,
            today,
          });
          const summary = summarize(schedule, target, days);
          expect(streakFromSummary('h', schedule, summary, today)).toEqual(expected);
        },
      ),
      { numRuns: 1500, seed: 12 },
    );
  });

  it('updated one change at a time, in any order, it equals the summary of the result', () => {
    fc.assert(
      fc.property(
        schedules,
        fc.integer({ min: 1, max: 3 }),
        fc.array(change, { maxLength: 40 }),
        (schedule, target, changes) => {
          const incremental = incrementally(schedule, target, changes);
          const full = summarize(schedule, target, asList(apply(changes)));
          expect(incremental.runs).toEqual(full.runs);
          for (const today of [TODAY, addDays(TODAY, 1), addDays(TODAY, 5)]) {
            expect(streakFromSummary('h', schedule, incremental, today)).toEqual(
              streakFromSummary('h', schedule, full, today),
            );
          }
        },
      ),
      { numRuns: 1500, seed: 7 },
    );
  });

  it('a future-dated day counts once its day comes, with no write in between', () => {
    const schedule: Schedule = { type: 'daily' };
    const summary = summarize(schedule, 1, [
      { date: '2026-03-19', count: 1 },
      { date: '2026-03-21', count: 1 },
    ]);
    expect(streakFromSummary('h', schedule, summary, '2026-03-20')).toMatchObject({
      current: 1,
      lastCompletedDate: '2026-03-19',
    });
    expect(streakFromSummary('h', schedule, summary, '2026-03-21')).toMatchObject({
      current: 1,
      lastCompletedDate: '2026-03-21',
    });
    expect(streakFromSummary('h', schedule, summary, '2026-03-23')).toMatchObject({
      current: 0,
      longest: 1,
    });
  });
});
