import { el, figure, panel, row, show } from '../dom';
import { count, time } from '../format';
import type { Panel } from './panel';

/** Failed users, quarantined records and the latest errors. */
export function failuresPanel(): Panel {
  const users = figure('failures-users');
  const quarantined = figure('quarantined');
  const list = el('tbody');
  const element = panel(
    'failures',
    'Failures',
    el('dl', {}, row('users whose run failed', users), row('records quarantined', quarantined)),
    el('h3', {}, 'Latest errors'),
    el(
      'table',
      { 'data-testid': 'recent-failures' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, 'at'),
          el('th', {}, 'user'),
          el('th', {}, 'status'),
          el('th', {}, 'error'),
        ),
      ),
      list,
    ),
  );
  let shown = '';
  return {
    element,
    update({ migration, quarantined: quarantinedRecords, recentFailures }) {
      const failed = migration.failures?.users ?? 0;
      show(users, count(failed), failed);
      show(quarantined, count(quarantinedRecords), quarantinedRecords);
      const json = JSON.stringify(recentFailures);
      if (json === shown) return;
      shown = json;
      list.replaceChildren(
        ...(recentFailures.length === 0
          ? [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'no failures'))]
          : recentFailures.map((failure) =>
              el(
                'tr',
                { 'data-testid': 'failure', 'data-uid': failure.uid },
                el('td', {}, time(failure.at)),
                el('td', { 'data-testid': 'failure-uid' }, failure.uid),
                el('td', { 'data-testid': 'failure-status' }, failure.status),
                el('td', { 'data-testid': 'failure-error', class: 'error' }, failure.error),
              ),
            )),
      );
    },
  };
}
