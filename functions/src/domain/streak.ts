import { z } from 'zod';
import type { Schedule } from './habit';
import {
  type LocalDay,
  addDays,
  daysBetween,
  dayOfWeek,
  isLocalDay,
  localDaySchema,
  weekStart,
} from './localDay';

export const streakSchema = z.strictObject({
  habitId: z.string(),
  current: z.number().int().min(0),
  longest: z.number().int().min(0),
  lastCompletedDate: localDaySchema.nullable(),
});
export type Streak = z.infer<typeof streakSchema>;

export interface StreakInput {
  habitId: string;
  schedule: Schedule;
  targetPerDay: number;
  completions: ReadonlyArray<{ date: LocalDay; count: number }>;
  today: LocalDay;
}

/**
 * Whether a completion on `day` can count towards the streak. Every day can count for
 * `timesPerWeek`: the schedule there only says how many days of the week must.
 */
export function isScheduledDay(schedule: Schedule, day: LocalDay): boolean {
  return schedule.type === 'weekly' ? schedule.days.includes(dayOfWeek(day)) : true;
}

// A Monday, so that whole weeks from it are ISO weeks and its day numbers never go negative
// for realistic dates.
const EPOCH_MONDAY: LocalDay = '1970-01-05';

function epochDay(day: LocalDay): number {
  return daysBetween(EPOCH_MONDAY, day);
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

/** Epoch weeks: whole ISO weeks counted from EPOCH_MONDAY. */
export function weekOf(day: LocalDay): number {
  return epochDay(weekStart(day)) / 7;
}

/** The Monday and Sunday of an epoch week. */
export function weekBounds(week: number): { from: LocalDay; to: LocalDay } {
  const from = addDays(EPOCH_MONDAY, week * 7);
  return { from, to: addDays(from, 6) };
}

/**
 * Scheduled days numbered consecutively (week * scheduled-days-per-week + rank in the week), so
 * "the next scheduled day" is simply +1, whatever lies between. Weekdays go Monday-first, because
 * epoch weeks start on a Monday: a week's scheduled days must get adjacent numbers in one block.
 * `ordinal` is only meaningful for a scheduled day; `dayOf` is its inverse.
 */
export function scheduledDayNumbering(schedule: Exclude<Schedule, { type: 'timesPerWeek' }>) {
  const weekdays = schedule.type === 'daily' ? [0, 1, 2, 3, 4, 5, 6] : schedule.days;
  const mondayFirst = [...new Set(weekdays.filter((d) => Number.isInteger(d) && d >= 0 && d <= 6))]
    .map((d) => mod(d - 1, 7))
    .sort((a, b) => a - b);
  const rank = new Array<number>(7).fill(-1);
  mondayFirst.forEach((d, i) => (rank[d] = i));
  const perWeek = mondayFirst.length;
  return {
    ordinal(day: LocalDay): number {
      const e = epochDay(day);
      return Math.floor(e / 7) * perWeek + rank[mod(e, 7)];
    },
    dayOf(ordinal: number): LocalDay {
      const week = Math.floor(ordinal / perWeek);
      return addDays(EPOCH_MONDAY, week * 7 + mondayFirst[mod(ordinal, perWeek)]);
    },
  };
}

/**
 * Longest and last runs over sorted, distinct ordinals, where consecutive means +1. Turning days
 * (or weeks) into ordinals first is what lets long gaps cost nothing.
 */
function runs(ordinals: readonly number[]): { longest: number; last: number } {
  let longest = 0;
  let last = 0;
  for (let i = 0; i < ordinals.length; i += 1) {
    last = i > 0 && ordinals[i] === ordinals[i - 1] + 1 ? last + 1 : 1;
    if (last > longest) longest = last;
  }
  return { longest, last };
}

/**
 * The streak of one habit as of the local day `today`. Completions after `today` are ignored
 * (a device with a wrong clock must not extend a streak); duplicates of a day are summed.
 */
export function computeStreak(input: StreakInput): Streak {
  const { habitId, schedule, today } = input;
  if (!isLocalDay(today)) throw new RangeError(`today must be a local day, not ${today}`);
  // A target below 1 would let a day without any completion count.
  const target = Math.max(1, input.targetPerDay);
  const empty: Streak = { habitId, current: 0, longest: 0, lastCompletedDate: null };

  const perDay = new Map<LocalDay, number>();
  for (const { date, count } of input.completions) {
    // Stored data may be hand-edited: a malformed date or count cannot count, rather than throw.
    if (!Number.isFinite(count) || !isLocalDay(date) || date > today) continue;
    perDay.set(date, (perDay.get(date) ?? 0) + count);
  }
  const counted: LocalDay[] = [];
  for (const [date, total] of perDay) {
    if (total >= target && isScheduledDay(schedule, date)) counted.push(date);
  }
  // YYYY-MM-DD sorts chronologically as text.
  counted.sort();
  if (counted.length === 0) return empty;

  if (schedule.type === 'timesPerWeek')
    return weeklyCountStreak(habitId, schedule.count, counted, today);
  return dayStreak(habitId, schedule, counted, today);
}

function dayStreak(
  habitId: string,
  schedule: Exclude<Schedule, { type: 'timesPerWeek' }>,
  counted: readonly LocalDay[],
  today: LocalDay,
): Streak {
  const { ordinal } = scheduledDayNumbering(schedule);

  const ordinals = counted.map(ordinal);
  const { longest, last } = runs(ordinals);
  const lastCompletedDate = counted[counted.length - 1];

  // The scheduled day before today is at most a week back.
  let previous = addDays(today, -1);
  while (!isScheduledDay(schedule, previous)) previous = addDays(previous, -1);
  const alive = lastCompletedDate === today || ordinals[ordinals.length - 1] >= ordinal(previous);
  return { habitId, current: alive ? last : 0, longest, lastCompletedDate };
}

function weeklyCountStreak(
  habitId: string,
  count: number,
  counted: readonly LocalDay[],
  today: LocalDay,
): Streak {
  // Counted days are sorted, so days of one week are adjacent.
  const weeks: number[] = [];
  let lastCompletedDate: LocalDay | null = null;
  let i = 0;
  while (i < counted.length) {
    const week = weekOf(counted[i]);
    let j = i;
    while (j < counted.length && weekOf(counted[j]) === week) j += 1;
    if (j - i >= count) {
      weeks.push(week);
      lastCompletedDate = counted[j - 1];
    }
    i = j;
  }
  if (lastCompletedDate === null) return { habitId, current: 0, longest: 0, lastCompletedDate };

  const { longest, last } = runs(weeks);
  const alive = weeks[weeks.length - 1] >= weekOf(today) - 1;
  return { habitId, current: alive ? last : 0, longest, lastCompletedDate };
}

/**
 * A migrated habit's longest run may predate the completions that survive (the old app kept the
 * number, not always the days): the stored floor keeps it from shrinking when recomputed.
 */
export function withLongestAtLeast(streak: Streak, floor: number | undefined): Streak {
  return floor !== undefined && floor > streak.longest ? { ...streak, longest: floor } : streak;
}
