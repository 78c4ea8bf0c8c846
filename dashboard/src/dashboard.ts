import { show } from './dom';
import { type Backend, errorCode, errorMessage } from './firebase';
import { time } from './format';
import { lookupPanel } from './lookup';
import { cachePanel } from './panels/cache';
import { consistencyPanel } from './panels/consistency';
import { dualWritePanel } from './panels/dualWrite';
import { failuresPanel } from './panels/failures';
import { migrationPanel } from './panels/migration';
import type { Panel } from './panels/panel';
import { rolloutPanel } from './panels/rollout';
import { throughputPanel } from './panels/throughput';
import type { DashboardAnswer } from './types';

export const DEFAULT_REFRESH_SECONDS = 10;

export interface DashboardElements {
  /** Where the panels go; empty and hidden unless an admin's answer is shown. */
  main: HTMLElement;
  header: HTMLElement;
  generatedAt: HTMLElement;
  refreshSeconds: HTMLElement;
  refreshes: HTMLElement;
  notAuthorised: HTMLElement;
  loadError: HTMLElement;
}

/** `?refresh=N` (seconds, at least 1) overrides the server's refreshSeconds. */
export function refreshOverride(search = location.search): number | undefined {
  const value = Number(new URLSearchParams(search).get('refresh'));
  return Number.isFinite(value) && value >= 1 ? value : undefined;
}

/** `?hours=N` (1-24): how many hours the charts show; the server's default otherwise. */
export function hoursRequested(search = location.search): { hours?: number } {
  const value = Number(new URLSearchParams(search).get('hours'));
  return Number.isInteger(value) && value >= 1 && value <= 24 ? { hours: value } : {};
}

/**
 * The refresh loop: one `admin-dashboard` call, every panel updated from its answer, the next call
 * `refreshSeconds` after this one ended. Nothing of an answer is shown to a user without the
 * admin claim, and nothing stays on the page after signing out.
 */
export function dashboard(backend: Backend, ui: DashboardElements) {
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let panels: Panel[] | undefined;
  let refreshes = 0;

  const clear = () => {
    for (const panel of panels ?? []) panel.destroy?.();
    panels = undefined;
    refreshes = 0;
    ui.main.replaceChildren();
    ui.main.hidden = true;
    ui.main.removeAttribute('data-loaded');
    ui.header.hidden = true;
  };

  const build = () => {
    panels = [
      rolloutPanel(),
      migrationPanel(),
      throughputPanel(),
      failuresPanel(),
      dualWritePanel(),
      consistencyPanel(),
      cachePanel(),
    ];
    ui.main.replaceChildren(...panels.map((p) => p.element), lookupPanel(backend).element);
    return panels;
  };

  const render = (answer: DashboardAnswer, seconds: number) => {
    const first = panels === undefined;
    const problems: string[] = [];
    for (const panel of panels ?? build()) {
      try {
        panel.update(answer);
      } catch (error) {
        // A panel the answer cannot fill shows its last figures; the others still update.
        problems.push(`${panel.element.id}: ${errorMessage(error)}`);
        console.error(panel.element.id, error);
      }
    }
    refreshes += 1;
    show(ui.generatedAt, time(answer.generatedAt), answer.generatedAt);
    show(ui.refreshSeconds, `${seconds} s`, seconds);
    show(ui.refreshes, String(refreshes), refreshes);
    ui.loadError.textContent = problems.join('; ');
    ui.loadError.hidden = problems.length === 0;
    ui.header.hidden = false;
    ui.main.hidden = false;
    ui.main.setAttribute('data-loaded', 'true');
    ui.main.setAttribute('data-generated-at', answer.generatedAt);
    // Signed in to first figures on screen: `dashboard-load` in the page's performance timeline.
    if (first) performance.measure('dashboard-load', 'dashboard-start');
  };

  const tick = async (mine: number) => {
    let seconds = refreshOverride() ?? DEFAULT_REFRESH_SECONDS;
    try {
      const answer = await backend.call<DashboardAnswer>('admin-dashboard', hoursRequested());
      if (mine !== generation) return;
      seconds = refreshOverride() ?? answer.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
      render(answer, seconds);
    } catch (error) {
      if (mine !== generation) return;
      const code = errorCode(error);
      if (code === 'permission-denied' || code === 'unauthenticated') {
        clear();
        ui.notAuthorised.hidden = false;
        return; // nothing to retry: the account has no admin claim
      }
      ui.loadError.textContent = `admin-dashboard failed (${code}): ${errorMessage(error)}; retrying`;
      ui.loadError.hidden = false;
    }
    timer = setTimeout(() => void tick(mine), seconds * 1000);
  };

  const stop = () => {
    generation += 1;
    clearTimeout(timer);
    clear();
    ui.notAuthorised.hidden = true;
    ui.loadError.hidden = true;
    ui.loadError.textContent = '';
  };
  const start = () => {
    stop();
    performance.clearMeasures('dashboard-load');
    performance.mark('dashboard-start');
    void tick(generation);
  };
  return { start, stop };
}
