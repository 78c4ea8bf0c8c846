import type { Firestore } from 'firebase-admin/firestore';
import { catchUpDueBefore } from '../../domain/catchUp';
import { type Gate, gatesToLeave, type RolloutFigures } from '../../domain/rolloutGates';
import {
  type StageFlags,
  type StageInForce,
  type StageStep,
  nextStep,
  previousStep,
  stageOf,
} from '../../domain/rolloutStages';
import { rolloutFigures } from './rolloutFigures';
import { rolloutTargets } from './rolloutTargets';

export interface RolloutReport {
  stage: StageInForce;
  next: StageStep | null;
  previous: StageStep | null;
  /** The gates to leave the stage forwards; empty for no stage and for complete. */
  gates: Gate[];
  /** The telemetry window the gates judged. */
  since: string;
  until: string;
}

type ReportFlags = StageFlags & { legacyCatchUpIntervalMinutes: number };

/**
 * The stage the flags are in and the gates that hold it, for `ops rollout` and `admin-rollout`.
 * `flags` are evaluated without a uid: the template's defaults, what every user outside a
 * condition gets.
 */
export async function rolloutReport(
  db: Firestore,
  flags: ReportFlags,
  window: { since: Date; now: Date },
): Promise<RolloutReport> {
  // No stage, no gates: nothing to read.
  const figures =
    stageOf(flags).name === null
      ? undefined
      : await rolloutFigures(db, window, catchUpDueBefore(window.now, flags));
  return rolloutReportOf(flags, window, figures);
}

/** The report from figures already read (the dashboard reads them with its own figures). */
export function rolloutReportOf(
  flags: ReportFlags,
  window: { since: Date; now: Date },
  figures: RolloutFigures | undefined,
): RolloutReport {
  const stage = stageOf(flags);
  if (stage.name === null || figures === undefined) {
    return {
      stage,
      next: null,
      previous: null,
      gates: [],
      since: window.since.toISOString(),
      until: window.now.toISOString(),
    };
  }
  return {
    stage,
    next: nextStep(stage),
    previous: previousStep(stage),
    gates: gatesToLeave(stage, figures, rolloutTargets),
    since: figures.since,
    until: figures.until,
  };
}
