import { chartView } from '../charts';
import { el, figure, panel, row, show, verdictClass } from '../dom';
import { count, duration, percent, verdict } from '../format';
import { dualWriteSeries } from '../series';
import type { Rate } from '../types';
import type { Panel } from './panel';

/** A rate's figures: `rate`, `target`, `verdict`, `counts`, each with its own data-testid. */
function rateFigures(prefix: string) {
  const rate = figure(`${prefix}-rate`);
  const target = figure(`${prefix}-target`);
  const mark = figure(`${prefix}-verdict`);
  const counts = figure(`${prefix}-counts`);
  const note = el('span', { class: 'note' }, 'target > ', target, ' ', mark, ' (', counts, ')');
  return {
    rate,
    note,
    update(value: Rate) {
      show(rate, percent(value.rate), value.rate);
      show(target, percent(value.target), value.target);
      const text = verdict(value.pass);
      show(mark, text, value.pass);
      verdictClass(mark, text);
      show(counts, `${count(value.success)} ok, ${count(value.failure)} failed`, [
        value.success,
        value.failure,
      ]);
    },
  };
}

/** Dual-write success against targets per hour, the outbox backlog and delivery outcomes. */
export function dualWritePanel(): Panel {
  const chart = chartView('dual-write', 'Dual-write success per hour', {
    kind: 'line',
    percent: true,
  });
  const primary = rateFigures('primary');
  const secondary = rateFigures('secondary');
  const parked = figure('secondary-parked');
  const pending = figure('outbox-pending');
  const oldest = figure('outbox-oldest-age');
  const failed = figure('outbox-failed');
  const failedEntries = figure('failed-entries');
  const outcomes = el('dl', { class: 'compact', 'data-testid': 'delivery-outcomes' });
  const outcomeFigures = new Map<string, HTMLElement>();
  const element = panel(
    'dual-write',
    'Dual-write and outbox',
    chart.element,
    el(
      'dl',
      {},
      row('primary (Firestore) success', primary.rate, primary.note),
      row('secondary (CloudKit) success', secondary.rate, secondary.note),
      row('deliveries parked', parked),
      row('outbox pending', pending),
      row('oldest pending entry', oldest),
      row('outbox failed', failed),
      row('failed entries (telemetry)', failedEntries),
    ),
    el('h3', {}, 'Delivery outcomes'),
    outcomes,
  );
  return {
    element,
    update({ dualWrite, outbox, hours }) {
      chart.update(
        dualWriteSeries(hours, {
          primary: dualWrite.primary.target,
          secondary: dualWrite.secondary.target,
        }),
      );
      primary.update(dualWrite.primary);
      secondary.update(dualWrite.secondary);
      show(parked, count(dualWrite.secondary.parked), dualWrite.secondary.parked);
      show(pending, count(outbox.pending), outbox.pending);
      show(
        oldest,
        outbox.oldestPendingAgeMs === null ? 'none pending' : duration(outbox.oldestPendingAgeMs),
        outbox.oldestPendingAgeMs,
      );
      show(failed, count(outbox.failed), outbox.failed);
      show(failedEntries, count(dualWrite.failedEntries), dualWrite.failedEntries);
      for (const [outcome, n] of Object.entries(dualWrite.secondary.outcomes ?? {})) {
        let node = outcomeFigures.get(outcome);
        if (!node) {
          node = figure(`delivery-${outcome}`);
          outcomeFigures.set(outcome, node);
          outcomes.append(row(outcome.replace(/_/g, ' '), node));
        }
        show(node, count(n), n);
      }
    },
    destroy: () => chart.destroy(),
  };
}
