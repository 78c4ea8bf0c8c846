import { type DocumentSnapshot, FieldValue } from 'firebase-admin/firestore';
import {
  keptSummary,
  legacyLongestOf,
  streakDocument,
  SUMMARY_RUN,
  SUMMARY_STALE,
} from '../data/firestore/streakDocuments';
import type { Habit } from '../domain/habit';
import type { LocalDay } from '../domain/localDay';
import { streakFromSummary, summarize, withDayChanged } from '../domain/streakRuns';

/**
 * What a page of the user's only writer does to the streaks of the habits it copies days of, so
 * that the run's last step need not read every day again (streakDocuments.ts, SUMMARY_RUN).
 */

export interface CopiedDay {
  habitId: string;
  date: LocalDay;
  count: number;
}

/** A write to a habit's streak document, merged into it. */
export interface StreakUpkeep {
  habitId: string;
  document: Record<string, unknown>;
}

export interface PageStreakInput {
  runId: string;
  now: string;
  today: LocalDay;
  /** Days the page writes, in page order. */
  days: readonly CopiedDay[];
  /** Habits the page writes (their last copy on the page). */
  habits: ReadonlyMap<string, Habit>;
  /** The legacy longest run of habits whose streak record the page copies. */
  legacyLongest: ReadonlyMap<string, number>;
  /** The habit as Firestore holds it before the page. */
  storedHabit: (habitId: string) => Habit | undefined;
  streakSnapshot: (habitId: string) => DocumentSnapshot;
}

/** What the page writes to each touched habit's streak document (merged). */
export function pageStreakUpkeep(input: PageStreakInput): StreakUpkeep[] {
  const daysOf = new Map<string, CopiedDay[]>();
  for (const day of input.days) daysOf.set(day.habitId, [...(daysOf.get(day.habitId) ?? []), day]);
  const touched = new Set([...daysOf.keys(), ...input.habits.keys()]);
  const upkeep: StreakUpkeep[] = [];
  for (const habitId of touched) {
    const snap = input.streakSnapshot(habitId);
    const ours = snap.exists && snap.get(SUMMARY_RUN) === input.runId;
    if (ours && snap.get(SUMMARY_STALE) === true) continue;
    const days = daysOf.get(habitId) ?? [];
    // A habit copied again with no days: its runs stand unless its schedule changed.
    if (days.length === 0 && !ours) continue;
    const habit = input.habits.get(habitId) ?? input.storedHabit(habitId);
    // Not one of this run's pages has copied a day of this habit yet: its runs start empty.
    const start =
      habit &&
      (ours
        ? keptSummary(snap, habit, input.runId)
        : summarize(habit.schedule, habit.targetPerDay, []));
    if (!habit || !start || habit.schedule.type === 'timesPerWeek') {
      // Weekly runs need the week's days, which a page does not read: the last step counts them.
      // A new document holds figures of zero until then, so that every reader can read it.
      const created = !snap.exists && !input.legacyLongest.has(habitId);
      upkeep.push({
        habitId,
        document: {
          ...(created
            ? { habitId, current: 0, longest: 0, lastCompletedDate: null }
            : { summary: FieldValue.delete() }),
          [SUMMARY_RUN]: input.runId,
          [SUMMARY_STALE]: true,
          updatedAt: input.now,
        },
      });
      continue;
    }
    let summary = start;
    for (const day of days) {
      summary = withDayChanged(summary, habit.schedule, habit.targetPerDay, day.date, {
        dayCount: day.count,
      });
    }
    const legacyLongest = input.legacyLongest.get(habitId) ?? legacyLongestOf(snap);
    const streak = streakFromSummary(habitId, habit.schedule, summary, input.today, legacyLongest);
    upkeep.push({
      habitId,
      document: {
        ...streakDocument(streak, legacyLongest, input.now, summary),
        [SUMMARY_RUN]: input.runId,
      },
    });
  }
  return upkeep;
}
