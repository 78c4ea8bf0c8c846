import { chartView } from '../charts';
import { el, figure, panel, row, show, verdictClass } from '../dom';
import { count, percent, time, verdict } from '../format';
import { shadowSeries } from '../series';
import type { Panel } from './panel';

/** Consistency from shadow comparison and continuous verification; open inconsistencies. */
export function consistencyPanel(): Panel {
  const chart = chartView('shadow', 'Shadow comparison per hour', { kind: 'line', percent: true });
  const shadowRate = figure('shadow-rate');
  const shadowCounts = figure('shadow-counts');
  const verificationRate = figure('verification-rate');
  const target = figure('consistency-target');
  const verificationVerdict = figure('verification-verdict');
  const records = figure('verification-records');
  const mismatches = figure('verification-mismatches');
  const repaired = figure('verification-repaired');
  const users = figure('verification-users');
  const lastRun = figure('verification-last-run');
  const open = figure('open-inconsistencies');
  const element = panel(
    'consistency',
    'Consistency',
    chart.element,
    el(
      'dl',
      {},
      row('shadow comparison', shadowRate, shadowCounts),
      row('continuous verification', verificationRate, verificationVerdict),
      row('target', target),
      row('records verified', records),
      row('mismatches', mismatches),
      row('repaired', repaired),
      row('users verified', users),
      row('last verification', lastRun),
      row('open inconsistencies', open),
    ),
  );
  return {
    element,
    update({ shadowCompare, consistency, hours }) {
      const verification = consistency.verification;
      chart.update(shadowSeries(hours, shadowCompare.target));
      show(shadowRate, percent(shadowCompare.rate), shadowCompare.rate);
      show(
        shadowCounts,
        `(${count(shadowCompare.success)} equal, ${count(shadowCompare.failure)} different)`,
        [shadowCompare.success, shadowCompare.failure],
      );
      show(verificationRate, percent(verification.rate), verification.rate);
      const pass = verification.rate === null ? null : verification.rate >= verification.target;
      const mark = verdict(pass);
      show(verificationVerdict, mark, pass);
      verdictClass(verificationVerdict, mark);
      show(target, `>= ${percent(verification.target)}`, verification.target);
      show(records, count(verification.records), verification.records);
      show(mismatches, count(verification.mismatches), verification.mismatches);
      show(repaired, count(verification.repaired), verification.repaired);
      show(users, count(verification.usersVerified), verification.usersVerified);
      show(lastRun, time(verification.lastRunAt), verification.lastRunAt);
      show(open, count(consistency.openInconsistencies), consistency.openInconsistencies);
      open.classList.toggle('fail', consistency.openInconsistencies > 0);
    },
    destroy: () => chart.destroy(),
  };
}
