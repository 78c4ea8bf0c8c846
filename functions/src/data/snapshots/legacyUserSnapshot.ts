import { addDays, localDayAt } from '../../domain/localDay';
import { progressFromXp } from '../../domain/progress';
import { DEFAULT_TIME_ZONE } from '../../domain/settings';
import type { LegacySnapshot } from '../legacyReadFallback';
import { SNAPSHOT_COMPLETION_DAYS, type UserSnapshot } from './userSnapshot';

/**
 * A not-yet-migrated user's legacy data in the shape of `snapshot-get`. The legacy store has no
 * settings the server can read, so the window is of the default time zone's day.
 */
export function legacyUserSnapshot(
  legacy: LegacySnapshot,
  version: number,
  now: Date,
): UserSnapshot {
  const today = localDayAt(now, DEFAULT_TIME_ZONE);
  const from = addDays(today, -(SNAPSHOT_COMPLETION_DAYS - 1));
  return {
    version,
    habits: [...legacy.habits].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    ),
    completions: legacy.completions
      .filter((c) => c.date >= from)
      .sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id)),
    progress: progressFromXp(legacy.xpTotal),
    streaks: legacy.streaks,
    settings: { timeZone: DEFAULT_TIME_ZONE },
    source: 'legacy',
    ...(legacy.partial && { partial: true }),
  };
}
