import type { Completion } from '../../domain/completion';
import type { Habit } from '../../domain/habit';
import type { Progress } from '../../domain/progress';
import type { Settings } from '../../domain/settings';
import type { Streak } from '../../domain/streak';

/** How far back `snapshot-get` returns completions: five weeks fill the app's home screen. */
export const SNAPSHOT_COMPLETION_DAYS = 35;

/** docs/api.md `snapshot-get`: what the app's home screen needs, at one data version. */
export interface UserSnapshot {
  version: number;
  habits: Habit[];
  completions: Completion[];
  progress: Progress;
  streaks: Streak[];
  settings: Settings;
  /** Only when the data came from the legacy store (docs/api.md, "Conventions"). */
  source?: 'legacy';
  /** Legacy data read up to its bound: the user has more than this holds (docs/api.md). */
  partial?: true;
}

/** A snapshot and the local day it was computed for: streaks and the window depend on it. */
export interface DatedSnapshot {
  snapshot: UserSnapshot;
  localDay: string;
}
