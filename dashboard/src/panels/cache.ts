import { chartView } from '../charts';
import { el, figure, panel, row, show, verdictClass } from '../dom';
import { count, percent, verdict } from '../format';
import { cacheSeries } from '../series';
import type { Panel } from './panel';

/** The snapshot cache's hit rate against its target (80 %). */
export function cachePanel(): Panel {
  const chart = chartView('cache', 'Cache hit rate per hour', { kind: 'line', percent: true });
  const rate = figure('cache-hit-rate');
  const target = figure('cache-target');
  const mark = figure('cache-verdict');
  const hits = figure('cache-hits');
  const misses = figure('cache-misses');
  const notModified = figure('cache-not-modified');
  const element = panel(
    'cache',
    'Snapshot cache',
    chart.element,
    el(
      'dl',
      {},
      row('hit rate', rate, mark),
      row('target', target),
      row('hits (incl. not modified)', hits),
      row('misses', misses),
      row('not modified', notModified),
    ),
  );
  return {
    element,
    update({ cache, hours }) {
      const hitRate = cache.hitRate;
      chart.update(cacheSeries(hours, hitRate.target));
      show(rate, percent(hitRate.rate), hitRate.rate);
      show(target, `> ${percent(hitRate.target)}`, hitRate.target);
      const text = verdict(hitRate.pass);
      show(mark, text, hitRate.pass);
      verdictClass(mark, text);
      show(hits, count(hitRate.success), hitRate.success);
      show(misses, count(hitRate.failure), hitRate.failure);
      show(notModified, count(cache.notModified), cache.notModified);
    },
    destroy: () => chart.destroy(),
  };
}
