/**
 * What `admin-dashboard` answers (functions/src/api/adminApi.ts), as far as the page reads it.
 * Fields the server may add later are ignored; missing ones show as "N/A".
 */
export interface Rate {
  success: number;
  failure: number;
  rate: number | null;
  target: number;
  pass: boolean | null;
}

export type GateStatus = 'pass' | 'fail' | 'no_data';

export interface Gate {
  name: string;
  figure: string;
  target: string;
  status: GateStatus;
}

export interface StageStep {
  name: string;
  percentage?: number;
}

export interface HourFigures {
  hour: string;
  usersCompleted: number;
  recordsMigrated: number;
  migrationP95Ms: number | null;
  primary: { success: number; failure: number };
  secondary: { success: number; failure: number };
  deliveries: Record<string, number>;
  shadow: { consistent: number; inconsistent: number };
  cache: { hit: number; miss: number; notModified: number };
}

export interface DashboardAnswer {
  generatedAt: string;
  refreshSeconds: number;
  rollout: {
    stage: { name: string | null; percentage?: number; paused?: string[]; problem?: string };
    next: StageStep | null;
    previous: StageStep | null;
    gates: Gate[];
    since: string;
    until: string;
    templateVersion: string | null;
  };
  flags: { values: Record<string, boolean | number | string>; sources: Record<string, string> };
  migration: {
    usersByStatus: Record<string, number>;
    records?: Record<string, number>;
    recordsMigrated: number;
    failures: { users: number; quarantinedRecords: number };
    migrationTimeMs: { average: number | null; p95: number | null; completedRuns: number };
    catchUp?: { following: number; overdue: number; awaitingLink: number };
  };
  hours: HourFigures[];
  dualWrite: {
    primary: Rate;
    secondary: Rate & { parked: number; outcomes: Record<string, number> };
    failedEntries: number;
  };
  cache: { hitRate: Rate; notModified: number };
  shadowCompare: Rate;
  consistency: {
    verification: {
      records: number;
      consistent: number;
      mismatches: number;
      repaired: number;
      usersVerified: number;
      lastRunAt: string | null;
      rate: number | null;
      target: number;
    };
    openInconsistencies: number;
  };
  outbox: { pending: number; oldestPendingAgeMs: number | null; failed: number };
  recentFailures: Array<{ uid: string; status: string; error: string; at: string }>;
  quarantined: number;
}

/** `admin-userLookup`'s answer. */
export interface UserLookup {
  uid: string;
  state: Record<string, unknown> | null;
  counts: Record<string, number> | null;
  lastError: string | null;
  catchUp: { following: boolean; lastCaughtUpAt: string | null; lagMs: number | null } | null;
  consistency: unknown;
}
