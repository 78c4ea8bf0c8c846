import { hourKey } from './bufferedTelemetry';
import { runDuration } from './latencyHistogram';
import { telemetryEvents } from './telemetryEvents';
import type { HourReading } from './telemetryReport';

const HOUR_MS = 3_600_000;

type Delivery = (typeof telemetryEvents.legacyDelivery)[number];

/** One hour of the dashboard's charts, from that hour's counters. */
export interface HourFigures {
  /** ISO start of the hour. */
  hour: string;
  /** Runs completed in the hour, with or without errors. */
  usersCompleted: number;
  recordsMigrated: number;
  /** p95 of the hour's completed runs' durations (a 10 % bucket's bound); null without runs. */
  migrationP95Ms: number | null;
  primary: { success: number; failure: number };
  secondary: { success: number; failure: number };
  deliveries: Record<Delivery, number>;
  shadow: { consistent: number; inconsistent: number };
  cache: { hit: number; miss: number; notModified: number };
}

/**
 * The last `n` hours up to the one holding `now`, oldest first, each with its counters from
 * `reading` (empty for an hour the reading has none of): every hour present, so a chart's x axis
 * has no gaps.
 */
export function lastHours(reading: readonly HourReading[], now: Date, n: number): HourReading[] {
  const byHour = new Map(reading.map((h) => [h.hour, h.counts]));
  const current = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return Array.from({ length: n }, (_, i) => {
    const hour = hourKey(new Date(current - (n - 1 - i) * HOUR_MS));
    return { hour, counts: byHour.get(hour) ?? {} };
  });
}

/** `YYYY-MM-DDTHH` (UTC) as the ISO timestamp of the hour's start. */
export const hourStart = (hour: string): string => `${hour}:00:00.000Z`;

export function hourFigures({ hour, counts }: HourReading): HourFigures {
  const count = (event: string, outcome: string) => counts[event]?.[outcome] ?? 0;
  const both = (outcome: string) =>
    count('shadowCompare', `habit.${outcome}`) + count('shadowCompare', `completion.${outcome}`);
  return {
    hour: hourStart(hour),
    usersCompleted: count('migration', 'completed') + count('migration', 'completed_with_errors'),
    recordsMigrated: count('migrationRecords', 'migrated'),
    migrationP95Ms: runDuration.summary(counts.migrationDuration, 'run').p95Ms,
    primary: {
      success: count('dualWritePrimary', 'success'),
      failure: count('dualWritePrimary', 'failure'),
    },
    secondary: {
      success: count('dualWriteSecondary', 'success'),
      failure: count('dualWriteSecondary', 'failure'),
    },
    deliveries: Object.fromEntries(
      telemetryEvents.legacyDelivery.map((outcome) => [outcome, count('legacyDelivery', outcome)]),
    ) as Record<Delivery, number>,
    shadow: { consistent: both('consistent'), inconsistent: both('inconsistent') },
    cache: {
      hit: count('snapshotCache', 'hit'),
      miss: count('snapshotCache', 'miss'),
      notModified: count('snapshotCache', 'notModified'),
    },
  };
}
