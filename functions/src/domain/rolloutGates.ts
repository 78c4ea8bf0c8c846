import type { KnownStage, StageName } from './rolloutStages';

/**
 * The gates a stage must pass before `ops rollout next` leaves it: the exit criteria of
 * docs/operations.md §3 as figures against targets. Pure: the figures are gathered elsewhere
 * (migration/rollout/rolloutFigures.ts) and the targets come from config and telemetry.
 */

/** Successes and failures over the figures' window. */
export interface RateFigure {
  success: number;
  failure: number;
}

export interface RolloutFigures {
  /** The window the telemetry rates cover (ISO-8601). */
  since: string;
  until: string;
  /** Firestore writes of the API (dual-write's primary side). */
  primaryWrites: RateFigure;
  /** CloudKit deliveries (dual-write's secondary side). */
  secondaryDeliveries: RateFigure;
  /** Outbox entries CloudKit refused, now. */
  failedOutboxEntries: number;
  /** Outbox entries waiting for delivery, now; counted up to a cap. */
  pendingOutboxEntries: { count: number; atLeast: boolean };
  /** How long the oldest pending entry has waited since its last change; null: none pending. */
  oldestPendingAgeMs: number | null;
  /** p95 of write callables with dual-write and without; null: no sample in the window. */
  writeLatencyP95Ms: { dualWrite: number | null; firestoreOnly: number | null };
  /** Backfill runs that completed (with errors or not) and that failed, in the window. */
  migrationRuns: RateFigure;
  /** Users whose run is queued, running, failed or awaiting a link, now. */
  usersNotMigrated: number;
  /** Followed users whose last catch-up is older than the schedule's interval, now. */
  catchUpOverdue: { count: number; atLeast: boolean };
  /** Continuous verification: records compared and found equal, and the records still open. */
  consistency: { records: number; consistent: number; openInconsistencies: number };
}

/** What each gate is judged against: rates must be above (consistency: at least) their target. */
export interface RolloutTargets {
  dualWritePrimary: number;
  dualWriteSecondary: number;
  migrationCompletion: number;
  consistency: number;
  maxOldestPendingMs: number;
  maxWriteLatencyP95Ratio: number;
}

export type GateStatus = 'pass' | 'fail' | 'no_data';

export interface Gate {
  name: string;
  /** The figure as an operator reads it. */
  figure: string;
  target: string;
  /** `no_data` never holds a stage back: only gates whose missing evidence says nothing use it. */
  status: GateStatus;
}

type GateCheck = (figures: RolloutFigures, targets: RolloutTargets, leaving: StageName) => Gate;

const percent = (n: number) => `${Math.round(n * 10_000) / 100} %`;
const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
const atLeast = (n: { count: number; atLeast: boolean }) =>
  `${n.atLeast ? 'at least ' : ''}${n.count}`;

/**
 * A rate above its target. No sample at all fails: a stage left without a single write or
 * delivery in the window has shown nothing (widen the window with --since).
 */
function rateGate(name: string, what: string, rate: RateFigure, target: number): Gate {
  const total = rate.success + rate.failure;
  const shownTarget = `> ${percent(target)}`;
  if (total === 0) {
    return { name, figure: `no ${what} in the window`, target: shownTarget, status: 'fail' };
  }
  const value = rate.success / total;
  return {
    name,
    figure: `${percent(value)} of ${total} ${what}`,
    target: shownTarget,
    status: value > target ? 'pass' : 'fail',
  };
}

function zeroGate(name: string, what: string, count: number, shown = String(count)): Gate {
  return { name, figure: `${shown} ${what}`, target: '= 0', status: count === 0 ? 'pass' : 'fail' };
}

const primary: GateCheck = (f, t) =>
  rateGate('primary write success', 'writes', f.primaryWrites, t.dualWritePrimary);

const secondary: GateCheck = (f, t) =>
  rateGate('CloudKit delivery success', 'deliveries', f.secondaryDeliveries, t.dualWriteSecondary);

const failedEntries: GateCheck = (f) =>
  zeroGate('failed outbox entries', 'failed', f.failedOutboxEntries);

/** Nothing pending passes: there is no backlog to be old. */
const oldestPending: GateCheck = (f, t) => {
  const target = `<= ${minutes(t.maxOldestPendingMs)}`;
  const age = f.oldestPendingAgeMs;
  if (age === null)
    return { name: 'oldest pending entry', figure: 'none pending', target, status: 'pass' };
  return {
    name: 'oldest pending entry',
    figure: `${minutes(age)} old`,
    target,
    status: age <= t.maxOldestPendingMs ? 'pass' : 'fail',
  };
};

/**
 * Writes go Firestore-only only before dual_write and after complete, so during the rollout the
 * window rarely holds both sides: without them the gate is `no_data` and holds nothing back. To
 * judge it, pass a window (--since) that reaches back to writes made before dual-write began.
 */
const latencyRatio: GateCheck = (f, t) => {
  const { dualWrite, firestoreOnly } = f.writeLatencyP95Ms;
  const name = 'write p95 dual-write / Firestore-only';
  const target = `<= ${t.maxWriteLatencyP95Ratio}`;
  if (dualWrite === null || firestoreOnly === null || firestoreOnly <= 0) {
    const missing = dualWrite === null ? 'dual-write' : 'Firestore-only';
    return { name, figure: `no ${missing} writes in the window`, target, status: 'no_data' };
  }
  const ratio = Math.round((dualWrite / firestoreOnly) * 100) / 100;
  return {
    name,
    figure: `${ratio} (${dualWrite} ms / ${firestoreOnly} ms)`,
    target,
    status: ratio <= t.maxWriteLatencyP95Ratio ? 'pass' : 'fail',
  };
};

/**
 * Leaving a backfill step, no run ended in the window fails: the step backfilled nobody (was
 * `ops backfill --all` run?). Leaving live or rampdown it is `no_data`: everyone may have
 * migrated before the window, and "users not yet migrated" judges that.
 */
const completion: GateCheck = (f, t, leaving) => {
  const gate = rateGate(
    'migration completion',
    'runs ended',
    f.migrationRuns,
    t.migrationCompletion,
  );
  const none = f.migrationRuns.success + f.migrationRuns.failure === 0;
  return none && leaving !== 'backfill_rollout' ? { ...gate, status: 'no_data' } : gate;
};

/** Nothing verified is no evidence, and fails: a stage is left on evidence, not on silence. */
const consistency: GateCheck = (f, t) => {
  const { records, consistent } = f.consistency;
  const name = 'consistency (continuous verification)';
  const target = `>= ${percent(t.consistency)}`;
  if (records === 0) return { name, figure: 'no records verified', target, status: 'fail' };
  const rate = consistent / records;
  return {
    name,
    figure: `${percent(rate)} of ${records} records`,
    target,
    status: rate >= t.consistency ? 'pass' : 'fail',
  };
};

const openInconsistencies: GateCheck = (f) =>
  zeroGate('open inconsistencies', 'open', f.consistency.openInconsistencies);

const catchUpOverdue: GateCheck = (f) =>
  zeroGate('catch-up overdue', 'users overdue', f.catchUpOverdue.count, atLeast(f.catchUpOverdue));

const notMigrated: GateCheck = (f) =>
  zeroGate(
    'users not yet migrated',
    'queued, running, failed or awaiting a link',
    f.usersNotMigrated,
  );

const pendingEntries: GateCheck = (f) =>
  zeroGate(
    'pending outbox entries',
    'pending',
    f.pendingOutboxEntries.count,
    atLeast(f.pendingOutboxEntries),
  );

const dualWriteGates = [primary, secondary, failedEntries, oldestPending, latencyRatio];
const backfillGates = [
  ...dualWriteGates,
  completion,
  consistency,
  openInconsistencies,
  catchUpOverdue,
];

/**
 * The gates to leave each stage. Going back never has gates (`ops rollout back`), and complete is
 * final. Rampdown is left for complete, after which CloudKit is written no more: every pending
 * write must have reached it.
 */
const gatesToLeaveTable: Record<StageName, readonly GateCheck[]> = {
  off: [],
  dual_write: dualWriteGates,
  backfill_rollout: backfillGates,
  live: [...backfillGates, notMigrated],
  rampdown: [...backfillGates, notMigrated, pendingEntries],
  complete: [],
};

/** The gates that must pass to leave `stage` forwards, judged on `figures`. */
export function gatesToLeave(
  stage: KnownStage,
  figures: RolloutFigures,
  targets: RolloutTargets,
): Gate[] {
  return gatesToLeaveTable[stage.name].map((check) => check(figures, targets, stage.name));
}

/** The gates that hold the stage back: `no_data` never does. */
export const failingGates = (gates: readonly Gate[]): Gate[] =>
  gates.filter((gate) => gate.status === 'fail');
