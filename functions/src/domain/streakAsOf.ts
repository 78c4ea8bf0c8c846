import type { Schedule } from './habit';
import { addDays, dayOfWeek, type LocalDay, weekStart } from './localDay';
import type { Streak } from './streak';

/** The last scheduled day strictly before `day` (a week at most back for any schedule). */
function previousScheduledDay(schedule: Schedule, day: LocalDay): LocalDay {
  if (schedule.type !== 'weekly') return addDays(day, -1);
  for (let back = 1; back <= 7; back += 1) {
    const candidate = addDays(day, -back);
    if (schedule.days.includes(dayOfWeek(candidate))) return candidate;
  }
  return addDays(day, -7);
}

/**
 * A stored streak was computed when its habit last changed; by the time it is read the user may
 * have missed days. This answers the streak as it stands `today` without reading completions.
 */
export function streakAsOf(streak: Streak, schedule: Schedule, today: LocalDay): Streak {
  const last = streak.lastCompletedDate;
  if (last === null || streak.current === 0) return { ...streak, current: 0 };
  const alive =
    schedule.type === 'timesPerWeek'
      ? weekStart(last) >= addDays(weekStart(today), -7)
      : last >= previousScheduledDay(schedule, today);
  return alive ? streak : { ...streak, current: 0 };
}
