/**
 * What `admin-dashboard` answers, as the server declares it (functions/src/migration/dashboard):
 * type-only imports, so the page is compiled against the server's own types and bundles none of
 * its code.
 */
import type { DashboardReport } from '../../functions/src/migration/dashboard/dashboardReport';
import type { Gate as ServerGate } from '../../functions/src/domain/rolloutGates';

export type DashboardAnswer = DashboardReport;
export type Rate = DashboardReport['dualWrite']['primary'];
export type Gate = ServerGate;
export type GateStatus = Gate['status'];
export type StageStep = NonNullable<DashboardReport['rollout']['next']>;
export type HourFigures = DashboardReport['hours'][number];

/** `admin-userLookup`'s answer. */
export interface UserLookup {
  uid: string;
  state: Record<string, unknown> | null;
  counts: Record<string, number> | null;
  lastError: string | null;
  catchUp: { following: boolean; lastCaughtUpAt: string | null; lagMs: number | null } | null;
  consistency: unknown;
}
