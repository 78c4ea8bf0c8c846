import { el, figure, panel, row, show } from './dom';
import { errorCode, errorMessage, type Backend } from './firebase';
import { count, duration, time } from './format';
import type { UserLookup } from './types';

const summarise = (value: unknown) =>
  value === null || value === undefined ? '-' : JSON.stringify(value);

/**
 * One user's migration: `admin-userLookup`, then, each behind a confirm(), `admin-verifyUser`
 * and `admin-requeueUser`. The only things on the page that start work.
 */
export function lookupPanel(backend: Backend) {
  const uid = el('input', {
    'data-testid': 'lookup-uid',
    name: 'uid',
    placeholder: 'uid',
    required: '',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const submit = el('button', { type: 'submit', 'data-testid': 'lookup-submit' }, 'Look up');
  const form = el('form', { class: 'inline', 'data-testid': 'lookup-form' }, uid, submit);
  const message = el('p', { 'data-testid': 'lookup-message', class: 'message' });
  const status = figure('lookup-status');
  const counts = figure('lookup-counts');
  const lastError = figure('lookup-last-error');
  const following = figure('lookup-catchup-following');
  const lag = figure('lookup-catchup-lag');
  const caughtUp = figure('lookup-last-caught-up');
  const consistency = figure('lookup-consistency');
  const verify = el('button', { type: 'button', 'data-testid': 'verify-user' }, 'Verify this user');
  const requeue = el(
    'button',
    { type: 'button', 'data-testid': 'requeue-user', class: 'danger' },
    'Re-queue this user',
  );
  const actionResult = el('pre', { 'data-testid': 'lookup-action-result', class: 'result' });
  const result = el(
    'div',
    { 'data-testid': 'lookup-result', hidden: '' },
    el(
      'dl',
      {},
      row('status', status),
      row('counts', counts),
      row('last error', lastError),
      row('catch-up following', following),
      row('catch-up lag', lag),
      row('last caught up', caughtUp),
      row('consistency', consistency),
    ),
    el('div', { class: 'actions' }, verify, requeue),
    actionResult,
  );
  const element = panel('lookup', 'User lookup', form, message, result);
  let current: string | undefined;

  const render = (answer: UserLookup) => {
    current = answer.uid;
    result.hidden = false;
    const state = answer.state as { status?: string } | null;
    show(status, state?.status ?? 'no migration state', state?.status ?? null);
    show(
      counts,
      answer.counts
        ? Object.entries(answer.counts)
            .map(([key, n]) => `${key} ${count(n)}`)
            .join(', ') || '-'
        : '-',
      answer.counts,
    );
    show(lastError, answer.lastError ?? 'none', answer.lastError);
    const catchUp = answer.catchUp;
    show(following, catchUp ? (catchUp.following ? 'yes' : 'no') : '-', catchUp?.following ?? null);
    show(
      lag,
      catchUp?.lagMs === null || !catchUp ? 'N/A' : duration(catchUp.lagMs),
      catchUp?.lagMs ?? null,
    );
    show(caughtUp, time(catchUp?.lastCaughtUpAt), catchUp?.lastCaughtUpAt ?? null);
    show(consistency, summarise(answer.consistency), answer.consistency ?? null);
  };

  const busy = (on: boolean) => {
    for (const button of [submit, verify, requeue]) button.disabled = on;
  };

  const run = async (what: () => Promise<void>) => {
    busy(true);
    try {
      await what();
    } catch (error) {
      message.textContent = `${errorCode(error)}: ${errorMessage(error)}`;
      message.classList.add('fail');
    } finally {
      busy(false);
    }
  };

  const lookUp = (target: string) =>
    run(async () => {
      message.textContent = `looking up ${target}...`;
      message.classList.remove('fail');
      const answer = await backend.call<UserLookup>('admin-userLookup', { uid: target });
      render(answer);
      message.textContent = `found ${answer.uid}`;
    });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const target = uid.value.trim();
    if (target) void lookUp(target);
  });
  verify.addEventListener('click', () => {
    const target = current;
    if (!target) return;
    if (!confirm(`Verify ${target} now, record for record against CloudKit?`)) return;
    void run(async () => {
      const report = await backend.call('admin-verifyUser', { uid: target });
      actionResult.textContent = JSON.stringify(report, null, 2);
      message.textContent = `verified ${target}`;
      message.classList.remove('fail');
    });
  });
  requeue.addEventListener('click', () => {
    const target = current;
    if (!target) return;
    if (!confirm(`Re-queue ${target}? Their migration runs again.`)) return;
    void run(async () => {
      const state = await backend.call('admin-requeueUser', { uid: target });
      actionResult.textContent = JSON.stringify(state, null, 2);
      render(await backend.call<UserLookup>('admin-userLookup', { uid: target }));
      message.textContent = `re-queued ${target}`;
      message.classList.remove('fail');
    });
  });
  return { element };
}
