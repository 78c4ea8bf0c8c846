import { DAY_MS, type DemoHabit } from './demoHabits';

export interface DemoStreak {
  current: number;
  longest: number;
  lastCompletedDay?: number;
}

// A Monday: whole weeks counted from it are ISO weeks.
const EPOCH_MONDAY = Date.UTC(1970, 0, 5);
const weekOf = (dayMs: number): number => Math.floor((dayMs - EPOCH_MONDAY) / (7 * DAY_MS));

/**
 * The streak the legacy app would have cached: consecutive met occasions (days for daily and
 * weekly habits, weeks for timesPerWeek), where met means the day's count reached the target.
 * An unfinished last week of a timesPerWeek habit does not break its streak.
 */
export function demoStreak(habit: DemoHabit, counts: ReadonlyMap<number, number>): DemoStreak {
  const metDays = new Set([...counts].filter(([, c]) => c >= habit.targetPerDay).map(([d]) => d));
  const occasions: boolean[] = [];
  if (habit.schedule.type === 'timesPerWeek') {
    const metPerWeek = new Map<number, number>();
    for (const day of metDays) metPerWeek.set(weekOf(day), (metPerWeek.get(weekOf(day)) ?? 0) + 1);
    const lastWeek = weekOf(habit.lastDay);
    for (let week = weekOf(habit.firstDay); week <= lastWeek; week += 1) {
      const met = (metPerWeek.get(week) ?? 0) >= habit.schedule.count;
      if (met || week < lastWeek) occasions.push(met);
    }
  } else {
    for (let day = habit.firstDay; day <= habit.lastDay; day += DAY_MS) {
      const dow = new Date(day).getUTCDay();
      if (habit.schedule.type === 'weekly' && !habit.schedule.days.includes(dow)) continue;
      occasions.push(metDays.has(day));
    }
  }
  let run = 0;
  let longest = 0;
  for (const met of occasions) {
    run = met ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  const done = [...counts.keys()];
  return {
    current: run,
    longest,
    lastCompletedDay: done.length > 0 ? Math.max(...done) : undefined,
  };
}
