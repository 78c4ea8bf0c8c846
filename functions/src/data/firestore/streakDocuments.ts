import type { DocumentSnapshot } from 'firebase-admin/firestore';
import type { Habit } from '../../domain/habit';
import type { LocalDay } from '../../domain/localDay';
import { type Streak, withLongestAtLeast } from '../../domain/streak';
import { streakAsOf } from '../../domain/streakAsOf';
import {
  type StreakSummary,
  streakBasis,
  streakFromSummary,
  streakSummarySchema,
  summarize,
} from '../../domain/streakRuns';
import { readStored, storedStreak } from './storedDocuments';

/** The longest run the legacy store reported for a migrated habit, kept as a floor. */
export function legacyLongestOf(snap: DocumentSnapshot): number | undefined {
  const value: unknown = snap.exists ? snap.get('legacyLongest') : undefined;
  return typeof value === 'number' ? value : undefined;
}

/**
 * The runs a streak document holds for the habit as it is now, or undefined when they must be
 * recounted from the history: written before runs were kept, or under another schedule or target.
 * A habit without a streak document has logged nothing yet through the API: no runs.
 */
export function summaryOf(snap: DocumentSnapshot, habit: Habit): StreakSummary | undefined {
  if (!snap.exists) return summarize(habit.schedule, habit.targetPerDay, []);
  const parsed = streakSummarySchema.safeParse(snap.get('summary'));
  if (!parsed.success) return undefined;
  return parsed.data.basis === streakBasis(habit.schedule, habit.targetPerDay)
    ? parsed.data
    : undefined;
}

/**
 * A stored streak as it stands on `today`: from its runs when they are current; otherwise (a
 * recount is queued) from the figures stored at its last write, lapsed if days were missed since.
 */
export function storedStreakAsOf(snap: DocumentSnapshot, habit: Habit, today: LocalDay): Streak {
  if (!snap.exists) {
    return { habitId: habit.id, current: 0, longest: 0, lastCompletedDate: null };
  }
  const summary = summaryOf(snap, habit);
  if (summary && snap.exists) {
    return streakFromSummary(habit.id, habit.schedule, summary, today, legacyLongestOf(snap));
  }
  return streakAsOf(readStored(storedStreak, snap), habit.schedule, today);
}

/**
 * The figures as of the write (what CloudKit's streak record receives) and, when known, the runs
 * the next write and every read start from.
 */
export function streakDocument(
  streak: Streak,
  legacyLongest: number | undefined,
  now: string,
  summary?: StreakSummary,
) {
  return {
    ...withLongestAtLeast(streak, legacyLongest),
    ...(legacyLongest !== undefined && { legacyLongest }),
    ...(summary && { summary }),
    updatedAt: now,
  };
}

/**
 * Streaks kept up by the pages of a run that is the user's only writer, so that its last step
 * need not read every day again (FirestoreHabitRepository.finishStreaks). The streak document of a habit whose days
 * the run copies carries `summaryRun`: the run whose pages built its `summary` from the first
 * day. `summaryStale` says a page copied days it could not count (the habit not known yet, a
 * weekly schedule, a schedule changed by a later copy of the habit): the last step recounts that
 * habit from its days. Any other writer ends the run's sole writing, and with it this trust.
 */
export const SUMMARY_RUN = 'summaryRun';
export const SUMMARY_STALE = 'summaryStale';

/** The runs this run's pages built so far, if they are to be trusted for `habit`. */
export function keptSummary(
  snap: DocumentSnapshot,
  habit: Habit,
  runId: string,
): StreakSummary | undefined {
  if (!snap.exists || snap.get(SUMMARY_RUN) !== runId || snap.get(SUMMARY_STALE) === true) {
    return undefined;
  }
  const parsed = streakSummarySchema.safeParse(snap.get('summary'));
  if (!parsed.success) return undefined;
  return parsed.data.basis === streakBasis(habit.schedule, habit.targetPerDay)
    ? parsed.data
    : undefined;
}
