import { chartView } from '../charts';
import { el, figure, panel, row, show } from '../dom';
import { count, decimalText, duration, hourLabel, perMinute } from '../format';
import { p95Series, throughputSeries } from '../series';
import type { Panel } from './panel';

/** Users and records per minute, and p95 migration time, per hour (oldest first). */
export function throughputPanel(): Panel {
  const throughput = chartView('throughput', 'Throughput per hour (per minute, averaged)', {
    kind: 'line',
  });
  const p95 = chartView('p95', 'p95 migration time per hour (s)', { kind: 'line', yTitle: 's' });
  const hour = figure('hour-latest');
  const users = figure('hour-users-completed');
  const records = figure('hour-records-migrated');
  const usersPerMinute = figure('users-per-minute');
  const recordsPerMinute = figure('records-per-minute');
  const hourP95 = figure('hour-migration-p95');
  const element = panel(
    'throughput',
    'Throughput',
    el('div', { class: 'charts' }, throughput.element, p95.element),
    el(
      'dl',
      {},
      row('latest hour', hour),
      row('users completed', users),
      row('records migrated', records),
      row('users per minute', usersPerMinute),
      row('records per minute', recordsPerMinute),
      row('p95 migration time', hourP95),
    ),
  );
  return {
    element,
    update({ hours }) {
      throughput.update(throughputSeries(hours));
      p95.update(p95Series(hours));
      const latest = hours[hours.length - 1];
      show(hour, latest ? hourLabel(latest.hour) : '-', latest?.hour ?? null);
      show(users, count(latest?.usersCompleted ?? 0), latest?.usersCompleted ?? 0);
      show(records, count(latest?.recordsMigrated ?? 0), latest?.recordsMigrated ?? 0);
      const upm = perMinute(latest?.usersCompleted ?? 0);
      const rpm = perMinute(latest?.recordsMigrated ?? 0);
      show(usersPerMinute, decimalText(upm), upm);
      show(recordsPerMinute, decimalText(rpm), rpm);
      show(hourP95, duration(latest?.migrationP95Ms), latest?.migrationP95Ms ?? null);
    },
    destroy() {
      throughput.destroy();
      p95.destroy();
    },
  };
}
