import { DAY_MS, dayString, isScheduled, planHabits, type DemoHabit } from './demoHabits';
import { demoRecord, int64, str, timestamp, type RecordMeta } from './demoRecords';
import { demoStreak } from './demoStreak';
import { chance, hex, intBetween, pick, streamFor, uuidLike, type Rng } from './prng';
import type { CkRecord, SimUserData } from './types';

export interface DemoOptions {
  users: number;
  days: number;
  seed?: number;
  /** Users are `<uidPrefix>001`, `<uidPrefix>002`, ...; `demo-user-` unless given. */
  uidPrefix?: string;
}

const NOTES = [
  'Felt great',
  'Hard today',
  'Quick one',
  'With a friend',
  'Before work',
  'Late but done',
];
// Every fifth user (001, 006, ...) is a long-time heavy user: 6 habits over 4x the history.
const HEAVY_EVERY = 5;
const HEAVY_HISTORY_FACTOR = 4;

/**
 * Demo users for the simulator. Deterministic for given options on a given UTC day: history ends
 * yesterday (UTC), so streaks are current whenever the data is generated, and nothing is in the future.
 */
export function generateDemoData(opts: DemoOptions): SimUserData[] {
  if (!Number.isInteger(opts.users) || opts.users < 0)
    throw new Error('users must be an integer >= 0');
  if (!Number.isInteger(opts.days) || opts.days < 1)
    throw new Error('days must be an integer >= 1');
  const lastDay = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS;
  return Array.from({ length: opts.users }, (_, index) =>
    demoUser(streamFor(opts.seed ?? 1, index), index, opts.days, lastDay, opts.uidPrefix),
  );
}

function demoUser(
  rng: Rng,
  index: number,
  days: number,
  lastDay: number,
  uidPrefix = 'demo-user-',
): SimUserData {
  const uid = `${uidPrefix}${String(index + 1).padStart(3, '0')}`;
  const userRecordName = `_${hex(rng, 32)}`;
  const meta: RecordMeta = { rng, userRecordName, deviceID: hex(rng, 16).toUpperCase() };
  const heavy = index % HEAVY_EVERY === 0;
  const history = heavy ? days * HEAVY_HISTORY_FACTOR : days;
  const habits = planHabits(
    rng,
    heavy ? 6 : intBetween(rng, 2, 5),
    lastDay - (history - 1) * DAY_MS,
    lastDay,
    heavy,
  );

  const habitRecords = habits.map((h) => habitRecord(meta, h));
  const activity: Array<{ at: number; records: CkRecord[] }> = [];
  const streaks: CkRecord[] = [];
  for (const habit of habits) {
    const counts = new Map<number, number>();
    let lastAt = habit.createdAt;
    for (let day = habit.firstDay; day <= habit.lastDay; day += DAY_MS) {
      if (!isScheduled(habit, day, rng) || !chance(rng, habit.consistency)) continue;
      const done = completion(meta, habit, day);
      counts.set(day, done.count);
      lastAt = done.completedAt;
      activity.push({ at: done.completedAt, records: done.records });
    }
    streaks.push(streakRecord(meta, habit, counts, lastAt));
  }
  // Interleaved by time, as a device that synced day after day would have written them.
  activity.sort((a, b) => a.at - b.at);
  return {
    uid,
    userRecordName,
    records: [...habitRecords, ...activity.flatMap((a) => a.records), ...streaks],
  };
}

const habitRecordName = (habit: DemoHabit): string => `CD_Habit_${habit.id}`;

function habitRecord(meta: RecordMeta, h: DemoHabit): CkRecord {
  const s = h.schedule;
  return demoRecord(
    meta,
    'CD_Habit',
    habitRecordName(h),
    {
      CD_entityName: str('Habit'),
      CD_id: str(h.id),
      CD_name: str(h.name),
      CD_emoji: h.emoji === undefined ? undefined : str(h.emoji),
      CD_colorHex: h.colorHex === undefined ? undefined : str(h.colorHex),
      CD_scheduleType: str(s.type),
      CD_scheduleDays: s.type === 'weekly' ? str(s.days.join(',')) : undefined,
      CD_timesPerWeek: s.type === 'timesPerWeek' ? int64(s.count) : undefined,
      CD_targetPerDay: int64(h.targetPerDay),
      CD_reminderTime: h.reminderTime === undefined ? undefined : str(h.reminderTime),
      CD_archived: int64(h.archived ? 1 : 0),
      CD_createdAt: timestamp(h.createdAt),
      CD_updatedAt: timestamp(h.updatedAt),
      CD_version: int64(1),
    },
    h.createdAt,
    h.updatedAt,
  );
}

function completion(meta: RecordMeta, habit: DemoHabit, day: number) {
  const { rng } = meta;
  const target = habit.targetPerDay;
  const count = target === 1 || chance(rng, 0.7) ? target : intBetween(rng, 1, target - 1);
  const completedAt =
    day + intBetween(rng, 6 * 60, 22 * 60) * 60_000 + intBetween(rng, 0, 59) * 1000;
  const note = chance(rng, 0.1) ? pick(rng, NOTES) : undefined;
  const updatedAt =
    note === undefined ? completedAt : completedAt + intBetween(rng, 1, 120) * 60_000;
  const id = `${habit.id}_${dayString(day)}`;
  const completionName = `CD_Completion_${id}`;
  const xpId = uuidLike(rng);
  const records = [
    demoRecord(
      meta,
      'CD_Completion',
      completionName,
      {
        CD_entityName: str('Completion'),
        CD_id: str(id),
        CD_habit: str(habitRecordName(habit)),
        CD_date: str(dayString(day)),
        CD_count: int64(count),
        CD_note: note === undefined ? undefined : str(note),
        CD_completedAt: timestamp(completedAt),
        CD_createdAt: timestamp(completedAt),
        CD_updatedAt: timestamp(updatedAt),
        CD_version: int64(1),
      },
      completedAt,
      updatedAt,
    ),
    demoRecord(
      meta,
      'CD_XPEvent',
      `CD_XPEvent_${xpId}`,
      {
        CD_entityName: str('XPEvent'),
        CD_id: str(xpId),
        CD_amount: int64(10 * count),
        CD_reason: str('completion'),
        CD_completion: str(completionName),
        CD_occurredAt: timestamp(completedAt),
      },
      completedAt,
      completedAt,
    ),
  ];
  return { count, completedAt, records };
}

/** `updatedAt`: the app refreshes the cached streak when a completion is logged. */
function streakRecord(
  meta: RecordMeta,
  habit: DemoHabit,
  counts: Map<number, number>,
  updatedAt: number,
): CkRecord {
  const streak = demoStreak(habit, counts);
  return demoRecord(
    meta,
    'CD_Streak',
    `CD_Streak_${habit.id}`,
    {
      CD_entityName: str('Streak'),
      CD_habit: str(habitRecordName(habit)),
      CD_current: int64(streak.current),
      CD_longest: int64(streak.longest),
      CD_lastCompletedDate:
        streak.lastCompletedDay === undefined ? undefined : str(dayString(streak.lastCompletedDay)),
    },
    habit.createdAt,
    updatedAt,
  );
}
