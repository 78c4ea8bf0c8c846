import { chance, intBetween, pick, shuffled, uuidLike, type Rng } from './prng';

export const DAY_MS = 86_400_000;

const CATALOG: ReadonlyArray<{ name: string; emoji: string; target?: number }> = [
  { name: 'Read 20 pages', emoji: '📚' },
  { name: 'Drink water', emoji: '💧', target: 8 },
  { name: 'Meditate', emoji: '🧘' },
  { name: 'Run', emoji: '🏃' },
  { name: 'Stretch', emoji: '🤸' },
  { name: 'Journal', emoji: '✍️' },
  { name: 'Practice guitar', emoji: '🎸' },
  { name: 'Walk 10k steps', emoji: '🚶' },
  { name: 'Call family', emoji: '📞' },
  { name: 'No sugar', emoji: '🍎' },
  { name: 'Floss', emoji: '🦷' },
  { name: 'Push-ups', emoji: '💪', target: 3 },
  { name: 'Learn Spanish', emoji: '🇪🇸' },
  { name: 'In bed by 11', emoji: '😴' },
];
const COLORS = ['#FF6B6B', '#4ECDC4', '#FFD93D', '#6C5CE7', '#00B894', '#E17055', '#0984E3'];
// Day numbers as the app stores them: 0 = Sunday.
const WEEKLY_DAYS = ['1,3,5', '2,4', '1,2,3,4,5', '0,6', '1,4'];

export type DemoSchedule =
  { type: 'daily' } | { type: 'weekly'; days: number[] } | { type: 'timesPerWeek'; count: number };

export interface DemoHabit {
  id: string;
  name: string;
  emoji?: string;
  colorHex?: string;
  schedule: DemoSchedule;
  targetPerDay: number;
  reminderTime?: string;
  createdAt: number;
  updatedAt: number;
  /** First and last day (UTC midnight ms) the habit can be completed. */
  firstDay: number;
  lastDay: number;
  archived: boolean;
  /** How often a scheduled day is actually done. */
  consistency: number;
}

function schedule(rng: Rng): DemoSchedule {
  const roll = rng();
  if (roll < 0.55) return { type: 'daily' };
  if (roll < 0.8) return { type: 'weekly', days: pick(rng, WEEKLY_DAYS).split(',').map(Number) };
  return { type: 'timesPerWeek', count: intBetween(rng, 2, 5) };
}

/** The habits of one user, over the history window [firstDay, lastDay] (UTC midnights). */
export function planHabits(
  rng: Rng,
  count: number,
  firstDay: number,
  lastDay: number,
  heavyUser: boolean,
): DemoHabit[] {
  const spanDays = Math.round((lastDay - firstDay) / DAY_MS) + 1;
  return shuffled(rng, CATALOG)
    .slice(0, count)
    .map((entry) => {
      const start =
        firstDay + (chance(rng, 0.7) ? 0 : intBetween(rng, 0, Math.floor(spanDays * 0.6))) * DAY_MS;
      const archived = !heavyUser && chance(rng, 0.15);
      const end = archived
        ? Math.min(
            lastDay,
            start + Math.floor(((lastDay - start) / DAY_MS) * (0.5 + rng() * 0.4)) * DAY_MS,
          )
        : lastDay;
      // Created the evening before the first possible completion, so no completion predates it.
      const createdAt = start - DAY_MS + intBetween(rng, 18 * 60, 23 * 60) * 60_000;
      const updatedAt = archived ? end + 20 * 3_600_000 : createdAt + intBetween(rng, 0, 3_600_000);
      return {
        id: uuidLike(rng),
        name: entry.name,
        emoji: chance(rng, 0.85) ? entry.emoji : undefined,
        colorHex: chance(rng, 0.7) ? pick(rng, COLORS) : undefined,
        schedule: schedule(rng),
        targetPerDay: entry.target ?? (chance(rng, 0.2) ? intBetween(rng, 2, 4) : 1),
        reminderTime: chance(rng, 0.5)
          ? `${String(intBetween(rng, 6, 21)).padStart(2, '0')}:${pick(rng, ['00', '15', '30', '45'])}`
          : undefined,
        createdAt,
        updatedAt,
        firstDay: start,
        lastDay: end,
        archived,
        consistency: heavyUser ? 0.8 + rng() * 0.18 : 0.35 + rng() * 0.55,
      };
    });
}

export function isScheduled(habit: DemoHabit, dayMs: number, rng: Rng): boolean {
  switch (habit.schedule.type) {
    case 'daily':
      return true;
    case 'weekly':
      return habit.schedule.days.includes(new Date(dayMs).getUTCDay());
    case 'timesPerWeek':
      // Any day may count; on average the weekly quota of days gets a go.
      return chance(rng, habit.schedule.count / 7);
  }
}

export const dayString = (dayMs: number): string => new Date(dayMs).toISOString().slice(0, 10);
