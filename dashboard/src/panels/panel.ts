import type { DashboardAnswer } from '../types';

/** One panel of the dashboard: built once, then updated from each `admin-dashboard` answer. */
export interface Panel {
  element: HTMLElement;
  update(answer: DashboardAnswer): void;
  destroy?(): void;
}
