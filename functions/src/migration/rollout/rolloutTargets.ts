import { config } from '../../config';
import type { RolloutTargets } from '../../domain/rolloutGates';
import { telemetryTargets } from '../../telemetry/telemetryEvents';

/** The gates' targets: the rates admin-telemetry judges by, and the rollout's own thresholds. */
export const rolloutTargets: RolloutTargets = {
  dualWritePrimary: telemetryTargets.dualWritePrimary,
  dualWriteSecondary: telemetryTargets.dualWriteSecondary,
  migrationCompletion: telemetryTargets.migrationCompletion,
  consistency: telemetryTargets.consistency,
  maxOldestPendingMs: config.rollout.maxOldestPendingMs,
  maxWriteLatencyP95Ratio: config.rollout.maxWriteLatencyP95Ratio,
};
