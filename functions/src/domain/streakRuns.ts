import { z } from 'zod';
import type { Schedule } from './habit';
import { type LocalDay, addDays, isLocalDay, localDaySchema } from './localDay';
import {
  isScheduledDay,
  scheduledDayNumbering,
  type Streak,
  weekOf,
  withLongestAtLeast,
} from './streak';

/**
 * A habit's streak history as runs of consecutive counted units (scheduled days, or weeks for
 * `timesPerWeek`), stored beside the streak. Any change to one day moves at most one unit in or
 * out of a run, so a write updates the streak from this summary alone, never from the history;
 * and the streak "as of today" comes from it at read time, so days passing without writes, and
 * future-dated days arriving, need no write at all.
 *
 * The document grows with the number of runs (breaks in the habit), not with the days logged.
 */
export const streakSummarySchema = z.object({
  /** Which schedule and target the runs were counted under: any other needs a recount. */
  basis: z.string(),
  /** Flattened [start, end, start, end, ...]: sorted, disjoint, never adjacent. */
  runs: z.array(z.number().int()),
  /**
   * `timesPerWeek` only: the counted days of the latest counted weeks. Whether the current week
   * counts yet, and its last completed day, depend on which of its days are already past.
   */
  weeks: z.array(z.object({ unit: z.number().int(), days: z.array(localDaySchema) })).optional(),
});
export type StreakSummary = z.infer<typeof streakSummarySchema>;

/** Weeks kept in `weeks`: enough for the current one, the one before, and a future-dated one. */
export const WEEKS_KEPT = 3;

/** The schedule and target the summary depends on, as one comparable string. */
export function streakBasis(schedule: Schedule, targetPerDay: number): string {
  return JSON.stringify({ schedule, target: Math.max(1, targetPerDay) });
}

/** The unit a day belongs to, or null when the day can never count (not scheduled). */
export function unitOf(schedule: Schedule, day: LocalDay): number | null {
  if (schedule.type === 'timesPerWeek') return weekOf(day);
  if (!isScheduledDay(schedule, day)) return null;
  return scheduledDayNumbering(schedule).ordinal(day);
}

/** The latest unit that lies on or before `day` (its own, or the scheduled day before it). */
function unitAtOrBefore(schedule: Schedule, day: LocalDay): number {
  for (let back = 0; back < 7; back += 1) {
    const unit = unitOf(schedule, addDays(day, -back));
    if (unit !== null) return unit;
  }
  return Number.NEGATIVE_INFINITY;
}

/** Runs with `unit` counted (joining its neighbours) or not counted (splitting its run). */
export function withUnit(runs: readonly number[], unit: number, counted: boolean): number[] {
  const out: number[] = [];
  let placed = !counted;
  for (let i = 0; i < runs.length; i += 2) {
    let [start, end] = [runs[i], runs[i + 1]];
    if (counted) {
      if (end < unit - 1) {
        out.push(start, end);
        continue;
      }
      if (!placed && start > unit + 1) {
        out.push(unit, unit);
        placed = true;
        out.push(start, end);
        continue;
      }
      if (placed) {
        out.push(start, end);
        continue;
      }
      // Touches or holds the unit: widen it, and swallow the next run if the unit bridged a gap.
      start = Math.min(start, unit);
      end = Math.max(end, unit);
      while (i + 2 < runs.length && runs[i + 2] <= end + 1) {
        end = Math.max(end, runs[i + 3]);
        i += 2;
      }
      out.push(start, end);
      placed = true;
    } else if (unit < start || unit > end) {
      out.push(start, end);
    } else {
      if (start < unit) out.push(start, unit - 1);
      if (unit < end) out.push(unit + 1, end);
    }
  }
  if (!placed) out.push(unit, unit);
  return out;
}

function runsOfUnits(units: Iterable<number>): number[] {
  const sorted = [...new Set(units)].sort((a, b) => a - b);
  const out: number[] = [];
  for (const unit of sorted) {
    if (out.length > 0 && out[out.length - 1] === unit - 1) out[out.length - 1] = unit;
    else out.push(unit, unit);
  }
  return out;
}

export type DayCount = { date: LocalDay; count: number };

/** Days whose total reaches the target (duplicates summed, malformed entries ignored), sorted. */
function countedDays(schedule: Schedule, targetPerDay: number, days: readonly DayCount[]) {
  const target = Math.max(1, targetPerDay);
  const perDay = new Map<LocalDay, number>();
  for (const { date, count } of days) {
    if (!Number.isFinite(count) || !isLocalDay(date)) continue;
    perDay.set(date, (perDay.get(date) ?? 0) + count);
  }
  return [...perDay]
    .filter(([date, total]) => total >= target && isScheduledDay(schedule, date))
    .map(([date]) => date)
    .sort();
}

/** The summary of a whole history: a full recount (a changed schedule, a migrated habit). */
export function summarize(
  schedule: Schedule,
  targetPerDay: number,
  completions: readonly DayCount[],
): StreakSummary {
  const basis = streakBasis(schedule, targetPerDay);
  const days = countedDays(schedule, targetPerDay, completions);
  if (schedule.type !== 'timesPerWeek') {
    return { basis, runs: runsOfUnits(days.map((d) => unitOf(schedule, d) as number)) };
  }
  const byWeek = new Map<number, LocalDay[]>();
  for (const day of days) byWeek.set(weekOf(day), [...(byWeek.get(weekOf(day)) ?? []), day]);
  const counted = [...byWeek].filter(([, inWeek]) => inWeek.length >= schedule.count);
  const weeks = counted
    .sort(([a], [b]) => a - b)
    .slice(-WEEKS_KEPT)
    .map(([unit, inWeek]) => ({ unit, days: inWeek }));
  return { basis, runs: runsOfUnits(counted.map(([unit]) => unit)), weeks };
}

/**
 * The summary after one day changed. `dayCount` is the day's new total (0 when deleted); for
 * `timesPerWeek`, `weekDays` are all the days of that day's week as they now stand.
 */
export function withDayChanged(
  summary: StreakSummary,
  schedule: Schedule,
  targetPerDay: number,
  day: LocalDay,
  change: { dayCount: number; weekDays?: readonly DayCount[] },
): StreakSummary {
  const unit = unitOf(schedule, day);
  if (unit === null) return summary;
  if (schedule.type !== 'timesPerWeek') {
    const counted = change.dayCount >= Math.max(1, targetPerDay);
    return { ...summary, runs: withUnit(summary.runs, unit, counted) };
  }
  const days = countedDays(schedule, targetPerDay, change.weekDays ?? []);
  const counted = days.length >= schedule.count;
  const others = (summary.weeks ?? []).filter((w) => w.unit !== unit);
  const weeks = counted ? [...others, { unit, days }] : others;
  weeks.sort((a, b) => a.unit - b.unit);
  return {
    ...summary,
    runs: withUnit(summary.runs, unit, counted),
    weeks: weeks.slice(-WEEKS_KEPT),
  };
}

/** Counted units, latest first, up to `n`. */
function latestUnits(runs: readonly number[], n: number): number[] {
  const out: number[] = [];
  for (let i = runs.length - 2; i >= 0 && out.length < n; i -= 2) {
    for (let unit = runs[i + 1]; unit >= runs[i] && out.length < n; unit -= 1) out.push(unit);
  }
  return out;
}

/**
 * A counted week among the latest ones whose days the summary no longer holds (a later week
 * stopped counting): its days must be read (seven at most) and given to `withWeekDays`.
 */
export function missingWeek(summary: StreakSummary, schedule: Schedule): number | undefined {
  if (schedule.type !== 'timesPerWeek') return undefined;
  const held = new Set((summary.weeks ?? []).map((w) => w.unit));
  return latestUnits(summary.runs, WEEKS_KEPT).find((unit) => !held.has(unit));
}

export function withWeekDays(
  summary: StreakSummary,
  schedule: Schedule,
  targetPerDay: number,
  unit: number,
  weekDays: readonly DayCount[],
): StreakSummary {
  const days = countedDays(schedule, targetPerDay, weekDays);
  const weeks = [...(summary.weeks ?? []).filter((w) => w.unit !== unit), { unit, days }];
  weeks.sort((a, b) => a.unit - b.unit);
  return { ...summary, weeks: weeks.slice(-WEEKS_KEPT) };
}

/**
 * The streak as it stands on `today`: units after today are cut off (a future-dated day counts
 * once its day comes), and a run counts as current while it reaches the previous scheduled unit.
 */
export function streakFromSummary(
  habitId: string,
  schedule: Schedule,
  summary: StreakSummary,
  today: LocalDay,
  legacyLongest?: number,
): Streak {
  let last: number;
  let lastDate: (unit: number) => LocalDay | null;
  let aliveFrom: number;
  if (schedule.type === 'timesPerWeek') {
    const thisWeek = weekOf(today);
    const held = new Map((summary.weeks ?? []).map((w) => [w.unit, w.days]));
    const pastDays = (unit: number) => (held.get(unit) ?? []).filter((d) => d <= today);
    // The current week counts once enough of its days are past; a week not held is older.
    const thisWeekCounts = !held.has(thisWeek) || pastDays(thisWeek).length >= schedule.count;
    last = thisWeekCounts ? thisWeek : thisWeek - 1;
    lastDate = (unit) => {
      const days = pastDays(unit);
      return days.length > 0 ? days[days.length - 1] : null;
    };
    aliveFrom = thisWeek - 1;
  } else {
    last = unitAtOrBefore(schedule, today);
    const { dayOf } = scheduledDayNumbering(schedule);
    lastDate = dayOf;
    aliveFrom = unitAtOrBefore(schedule, addDays(today, -1));
  }

  let longest = 0;
  let lastRun: { end: number; length: number } | undefined;
  for (let i = 0; i < summary.runs.length; i += 2) {
    const start = summary.runs[i];
    if (start > last) break;
    const end = Math.min(summary.runs[i + 1], last);
    longest = Math.max(longest, end - start + 1);
    lastRun = { end, length: end - start + 1 };
  }
  const base: Streak = lastRun
    ? {
        habitId,
        current: lastRun.end >= aliveFrom ? lastRun.length : 0,
        longest,
        lastCompletedDate: lastDate(lastRun.end),
      }
    : { habitId, current: 0, longest: 0, lastCompletedDate: null };
  return withLongestAtLeast(base, legacyLongest);
}
