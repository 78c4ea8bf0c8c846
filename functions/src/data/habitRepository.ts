import type {
  Completion,
  CompletionDeleteInput,
  CompletionListInput,
  CompletionLogInput,
} from '../domain/completion';
import type { Habit, HabitCreateInput, HabitListInput, HabitUpdateInput } from '../domain/habit';
import type { Progress } from '../domain/progress';
import type { Streak } from '../domain/streak';

export interface HabitPage {
  habits: Habit[];
  nextPageToken?: string;
}

export interface CompletionLogged {
  completion: Completion;
  progress: Progress;
  streak: Streak;
}

export interface CompletionDeleted {
  progress: Progress;
  streak: Streak;
}

export interface ProgressAndStreaks {
  progress: Progress;
  streaks: Streak[];
}

/**
 * The port every store of a user's habit data implements. Writes are atomic per call: the entity,
 * its derived data (XP ledger, progress, streak) and the user's data version change together.
 */
export interface HabitRepository {
  createHabit(uid: string, input: HabitCreateInput): Promise<Habit>;
  updateHabit(uid: string, input: HabitUpdateInput): Promise<Habit>;
  deleteHabit(uid: string, id: string): Promise<void>;
  getHabit(uid: string, id: string): Promise<Habit>;
  listHabits(uid: string, input: HabitListInput): Promise<HabitPage>;
  logCompletion(uid: string, input: CompletionLogInput): Promise<CompletionLogged>;
  deleteCompletion(uid: string, input: CompletionDeleteInput): Promise<CompletionDeleted>;
  listCompletions(uid: string, input: CompletionListInput): Promise<Completion[]>;
  getProgress(uid: string): Promise<ProgressAndStreaks>;
}
