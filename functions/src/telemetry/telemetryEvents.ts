/** The events counted, each with its outcomes, and the targets operators judge them by. */
export const telemetryEvents = {
  dualWritePrimary: ['success', 'failure'],
  dualWriteSecondary: ['success', 'failure', 'parked'],
  fallbackRead: ['served', 'empty'],
} as const;

export type TelemetryEvent = keyof typeof telemetryEvents;
export type TelemetryOutcome<E extends TelemetryEvent> = (typeof telemetryEvents)[E][number];

export const telemetryTargets = {
  dualWritePrimary: 0.99,
  dualWriteSecondary: 0.95,
} as const;

/** What every component reports through: awaited, so a count is never lost with the instance. */
export interface Telemetry {
  record<E extends TelemetryEvent>(
    event: E,
    outcome: TelemetryOutcome<E>,
    fields: { uid: string; latencyMs?: number; errorCode?: string },
  ): Promise<void>;
}
