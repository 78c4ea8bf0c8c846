import { migrationStatuses } from '../../functions/src/domain/migrationStatuses';
import { hourLabel, perMinute, ratio } from './format';
import type { HourFigures } from './types';

/**
 * Each chart's data from an `admin-dashboard` answer. Pure (no DOM, no Chart.js): the page draws
 * these and writes them to `data-series`; the browser tests compute them from the answer the page
 * received and compare.
 */
export interface SeriesData {
  labels: string[];
  datasets: Array<{ label: string; data: Array<number | null>; color?: string; target?: boolean }>;
}

/** Every migration status, in the order a run passes through them. */
export const STATUSES = migrationStatuses;

const STATUS_COLORS: Record<string, string> = {
  not_started: '#9ca3af',
  queued: '#60a5fa',
  awaiting_link: '#a78bfa',
  running: '#f59e0b',
  completed: '#16a34a',
  completed_with_errors: '#84cc16',
  failed: '#dc2626',
};

/** Statuses the answer names, known ones first in their order, then any new ones. */
export function statusesOf(usersByStatus: Record<string, number>): string[] {
  const known: readonly string[] = STATUSES;
  const extra = Object.keys(usersByStatus).filter((s) => !known.includes(s));
  return [...STATUSES, ...extra.sort()];
}

/** Users per status: one stacked bar, one segment per status. */
export function statusSeries(usersByStatus: Record<string, number>): SeriesData {
  return {
    labels: ['users'],
    datasets: statusesOf(usersByStatus).map((status) => ({
      label: status,
      data: [usersByStatus[status] ?? 0],
      color: STATUS_COLORS[status],
    })),
  };
}

const labels = (hours: HourFigures[]) => hours.map((h) => hourLabel(h.hour));

/** Users completed and records migrated per minute, averaged over each hour. */
export function throughputSeries(hours: HourFigures[]): SeriesData {
  return {
    labels: labels(hours),
    datasets: [
      { label: 'users / min', data: hours.map((h) => perMinute(h.usersCompleted)) },
      { label: 'records / min', data: hours.map((h) => perMinute(h.recordsMigrated)) },
    ],
  };
}

/** p95 migration time of the runs completed in each hour, in seconds. */
export function p95Series(hours: HourFigures[]): SeriesData {
  return {
    labels: labels(hours),
    datasets: [
      {
        label: 'p95 migration time (s)',
        data: hours.map((h) =>
          h.migrationP95Ms === null ? null : Math.round(h.migrationP95Ms / 100) / 10,
        ),
        color: '#7c3aed',
      },
    ],
  };
}

const constant = (hours: HourFigures[], value: number) => hours.map(() => value);

/** Dual-write success per hour, primary (Firestore) and secondary (CloudKit), with targets. */
export function dualWriteSeries(
  hours: HourFigures[],
  targets: { primary: number; secondary: number },
): SeriesData {
  return {
    labels: labels(hours),
    datasets: [
      {
        label: 'primary (Firestore)',
        data: hours.map((h) => ratio(h.primary.success, h.primary.failure)),
        color: '#2563eb',
      },
      {
        label: 'secondary (CloudKit)',
        data: hours.map((h) => ratio(h.secondary.success, h.secondary.failure)),
        color: '#16a34a',
      },
      {
        label: 'primary target',
        data: constant(hours, targets.primary),
        color: '#93c5fd',
        target: true,
      },
      {
        label: 'secondary target',
        data: constant(hours, targets.secondary),
        color: '#86efac',
        target: true,
      },
    ],
  };
}

/** Snapshot cache hits (a hit or a not-modified answer) per hour against the target. */
export function cacheSeries(hours: HourFigures[], target: number): SeriesData {
  return {
    labels: labels(hours),
    datasets: [
      {
        label: 'hit rate',
        data: hours.map((h) => ratio(h.cache.hit + h.cache.notModified, h.cache.miss)),
        color: '#0891b2',
      },
      { label: 'target', data: constant(hours, target), color: '#f59e0b', target: true },
    ],
  };
}

/** Shadow comparison: records equal in both stores per hour against the consistency target. */
export function shadowSeries(hours: HourFigures[], target: number): SeriesData {
  return {
    labels: labels(hours),
    datasets: [
      {
        label: 'consistent',
        data: hours.map((h) => ratio(h.shadow.consistent, h.shadow.inconsistent)),
        color: '#16a34a',
      },
      { label: 'target', data: constant(hours, target), color: '#f59e0b', target: true },
    ],
  };
}
