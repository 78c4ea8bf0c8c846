import { el, figure, panel, row, show, verdictClass } from '../dom';
import { stageText, time, verdict } from '../format';
import type { Panel } from './panel';

/** The stage in force, its gates (PASS/FAIL/N/A with figures) and the flags with their sources. */
export function rolloutPanel(): Panel {
  const stage = figure('stage-name');
  const paused = figure('stage-paused');
  const problem = figure('stage-problem');
  const next = figure('stage-next');
  const previous = figure('stage-previous');
  const template = figure('template-version');
  const window = figure('gates-window');
  const gates = el('tbody');
  const flags = el('tbody');
  const element = panel(
    'rollout',
    'Rollout stage and gates',
    el(
      'dl',
      {},
      row('stage in force', stage),
      row('paused', paused),
      row('not a stage because', problem),
      row('next', next),
      row('previous', previous),
      row('template version', template),
      row('gates judged over', window),
    ),
    el(
      'table',
      { 'data-testid': 'gates' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, 'gate'),
          el('th', {}, 'figure'),
          el('th', {}, 'target'),
          el('th', {}, ''),
        ),
      ),
      gates,
    ),
    el('h3', {}, 'Flags'),
    el(
      'table',
      { 'data-testid': 'flags' },
      el(
        'thead',
        {},
        el('tr', {}, el('th', {}, 'flag'), el('th', {}, 'value'), el('th', {}, 'source')),
      ),
      flags,
    ),
  );
  let shownGates = '';
  let shownFlags = '';
  return {
    element,
    update({ rollout, flags: flagAnswer }) {
      show(stage, stageText(rollout.stage), rollout.stage.name);
      const pausedWork = 'paused' in rollout.stage ? rollout.stage.paused : [];
      const why = 'problem' in rollout.stage ? rollout.stage.problem : null;
      show(paused, pausedWork.length > 0 ? pausedWork.join(', ') : 'nothing', pausedWork);
      show(problem, why ?? '-', why);
      show(next, rollout.next ? stageText(rollout.next) : '-', rollout.next);
      show(previous, rollout.previous ? stageText(rollout.previous) : '-', rollout.previous);
      show(template, rollout.templateVersion ?? 'committed defaults', rollout.templateVersion);
      show(window, `${time(rollout.since)} to ${time(rollout.until)}`, [
        rollout.since,
        rollout.until,
      ]);
      const gatesJson = JSON.stringify(rollout.gates);
      if (gatesJson !== shownGates) {
        shownGates = gatesJson;
        gates.replaceChildren(
          ...(rollout.gates.length === 0
            ? [
                el(
                  'tr',
                  {},
                  el('td', { colspan: '4', class: 'muted' }, 'no gates to leave this stage'),
                ),
              ]
            : rollout.gates.map((gate) => {
                const mark = verdict(gate.status);
                const status = el('td', { 'data-testid': 'gate-status', class: 'verdict' }, mark);
                verdictClass(status, mark);
                return el(
                  'tr',
                  { 'data-testid': 'gate', 'data-gate': gate.name, 'data-status': gate.status },
                  el('td', { 'data-testid': 'gate-name' }, gate.name),
                  el('td', { 'data-testid': 'gate-figure' }, gate.figure),
                  el('td', { 'data-testid': 'gate-target' }, gate.target),
                  status,
                );
              })),
        );
      }
      const flagsJson = JSON.stringify(flagAnswer);
      if (flagsJson === shownFlags) return;
      shownFlags = flagsJson;
      flags.replaceChildren(
        ...Object.entries(flagAnswer.values)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) =>
            el(
              'tr',
              { 'data-testid': 'flag', 'data-flag': name },
              el('td', {}, name),
              el(
                'td',
                { 'data-testid': 'flag-value', 'data-value': JSON.stringify(value) },
                String(value),
              ),
              el(
                'td',
                { 'data-testid': 'flag-source' },
                flagAnswer.sources[name as keyof typeof flagAnswer.sources] ?? '-',
              ),
            ),
          ),
      );
    },
  };
}
