import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../../config';
import { catchUpDueBefore } from '../../domain/catchUp';
import type { FlagSnapshot } from '../../flags/featureFlags';
import { type HourFigures, hourFigures, hourStart, lastHours } from '../../telemetry/hourlySeries';
import { readTelemetry, reportOf, sumHours } from '../../telemetry/telemetryReport';
import { consistencySummary } from '../consistency/consistencyRecords';
import { migrationStats } from '../migrationStats';
import { figuresOf, pendingOutbox } from '../rollout/rolloutFigures';
import { rolloutReportOf } from '../rollout/rolloutReport';
import { recentFailures } from './recentFailures';

const HOUR_MS = 3_600_000;

/**
 * Everything one refresh of the operators' dashboard shows, in one call whose cost is constant in
 * users and history. Each source is read once and shared by the figures made from it:
 * - telemetry: the rollout window's hours (25 by default, covering the dashboard's at most 24),
 *   at most `config.telemetry.shards` shard documents each, plus one count of failed outbox
 *   entries; the hourly series, the window's totals and the gates' figures all come from it;
 * - migration statistics: at most `config.migrationStatsShards` shards and one capped count;
 * - consistency: one document and one count;
 * - the outbox backlog: one capped count and one document;
 * - recent failures: at most `config.dashboard.recentFailures` documents.
 * Flags come from the instance's cached template (no Firestore read).
 */
export async function dashboardReport(
  db: Firestore,
  flags: FlagSnapshot,
  { hours, now }: { hours: number; now: Date },
) {
  const window = { since: new Date(now.getTime() - config.rollout.windowMs), now };
  // The rollout's window, reaching back far enough for the dashboard's hours in any case.
  const readFrom = Math.min(
    window.since.getTime(),
    Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS,
  );
  const [reading, stats, consistency, outbox, failures] = await Promise.all([
    readTelemetry(db, new Date(readFrom), now),
    migrationStats(db, catchUpDueBefore(now, flags.values)),
    consistencySummary(db),
    pendingOutbox(db, now),
    recentFailures(db),
  ]);

  // The gates judge the rollout window exactly as admin-rollout does.
  const rolloutHours = reading.hours.filter(
    ({ hour }) => Date.parse(hourStart(hour)) + HOUR_MS > window.since.getTime(),
  );
  const rolloutTelemetry = reportOf(
    sumHours(rolloutHours),
    window.since.toISOString(),
    reading.failedEntries,
  );
  const figures = figuresOf({ telemetry: rolloutTelemetry, stats, consistency, outbox }, now);

  const shown = lastHours(reading.hours, now, hours);
  const totals = reportOf(sumHours(shown), hourStart(shown[0].hour), reading.failedEntries);
  const series: HourFigures[] = shown.map(hourFigures);

  return {
    generatedAt: now.toISOString(),
    refreshSeconds: config.dashboard.refreshSeconds,
    rollout: {
      ...rolloutReportOf(flags.values, window, figures),
      templateVersion: flags.templateVersion ?? null,
    },
    flags: { values: flags.values, sources: flags.sources },
    migration: stats,
    hours: series,
    dualWrite: totals.dualWrite,
    cache: totals.cache,
    shadowCompare: totals.shadowCompare,
    consistency,
    outbox: {
      pending: outbox.pendingOutboxEntries.count,
      oldestPendingAgeMs: outbox.oldestPendingAgeMs,
      failed: reading.failedEntries,
    },
    recentFailures: failures,
    quarantined: stats.failures.quarantinedRecords,
  };
}

export type DashboardReport = Awaited<ReturnType<typeof dashboardReport>>;
