import { chartView } from '../charts';
import { el, figure, panel, row, show } from '../dom';
import { count, duration } from '../format';
import { statusesOf, statusSeries } from '../series';
import type { Panel } from './panel';

/** Users per migration status (a stacked bar), records migrated and run times. */
export function migrationPanel(): Panel {
  const chart = chartView('status', 'Users per migration status', { kind: 'stacked-bar' });
  const total = figure('users-total');
  const byStatus = el('dl', { class: 'compact' });
  const statusFigures = new Map<string, HTMLElement>();
  const records = figure('records-migrated');
  const runs = figure('runs-completed');
  const average = figure('migration-average');
  const p95 = figure('migration-p95');
  const following = figure('catchup-following');
  const overdue = figure('catchup-overdue');
  const element = panel(
    'migration',
    'Migration',
    chart.element,
    el('dl', {}, row('users with a migration state', total)),
    byStatus,
    el(
      'dl',
      {},
      row('records migrated', records),
      row('runs completed', runs),
      row('migration time, average', average),
      row('migration time, p95', p95),
      row('catch-up: users followed', following),
      row('catch-up: overdue', overdue),
    ),
  );
  return {
    element,
    update({ migration }) {
      const users = migration.usersByStatus ?? {};
      chart.update(statusSeries(users));
      const sum = Object.values(users).reduce((a, b) => a + b, 0);
      show(total, count(sum), sum);
      for (const status of statusesOf(users)) {
        let node = statusFigures.get(status);
        if (!node) {
          node = figure(`users-${status}`);
          statusFigures.set(status, node);
          byStatus.append(row(status.replace(/_/g, ' '), node));
        }
        show(node, count(users[status] ?? 0), users[status] ?? 0);
      }
      show(records, count(migration.recordsMigrated), migration.recordsMigrated);
      const times = migration.migrationTimeMs;
      show(runs, count(times?.completedRuns ?? 0), times?.completedRuns ?? 0);
      show(average, duration(times?.average), times?.average ?? null);
      show(p95, duration(times?.p95), times?.p95 ?? null);
      show(following, count(migration.catchUp?.following), migration.catchUp?.following ?? null);
      show(overdue, count(migration.catchUp?.overdue), migration.catchUp?.overdue ?? null);
    },
    destroy: () => chart.destroy(),
  };
}
