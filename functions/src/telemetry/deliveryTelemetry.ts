import type { Telemetry, TelemetryEvent, TelemetryOutcome } from './telemetryEvents';
import { logs } from '../logs';

export type DeliveryCounted = TelemetryOutcome<'legacyDelivery'>;

/** How each delivery outcome counts against the secondary write's success rate. */
const secondary: Record<DeliveryCounted, TelemetryOutcome<'dualWriteSecondary'>> = {
  delivered: 'success',
  already_equal: 'success',
  conflict_resolved: 'success',
  failed: 'failure',
  retrying: 'failure',
  awaiting_link: 'parked',
};

interface Tally {
  event: TelemetryEvent;
  outcome: string;
  uid: string;
  count: number;
  latencyMs: number;
  errorCode?: string;
}

/**
 * Delivery outcomes, noted beside each delivery (never awaited by it) and written in one go when
 * the task ends: a telemetry failure is logged, never a failed delivery, and a task costs one
 * counter write per distinct outcome rather than one per record.
 */
export class DeliveryTelemetry {
  private readonly tallies = new Map<string, Tally>();

  constructor(private readonly telemetry: Telemetry) {}

  readonly onOutcome = (
    uid: string,
    outcome: DeliveryCounted,
    latencyMs: number,
    errorCode?: string,
  ): void => {
    this.add({ event: 'legacyDelivery', outcome, uid, count: 1, latencyMs, errorCode });
    this.add({
      event: 'dualWriteSecondary',
      outcome: secondary[outcome],
      uid,
      count: 1,
      latencyMs,
      errorCode,
    });
  };

  private add(tally: Tally): void {
    const key = `${tally.event}/${tally.outcome}/${tally.uid}`;
    const held = this.tallies.get(key);
    if (held) {
      held.count += tally.count;
      held.latencyMs += tally.latencyMs;
    } else this.tallies.set(key, { ...tally });
  }

  async flush(): Promise<void> {
    const tallies = [...this.tallies.values()];
    this.tallies.clear();
    await Promise.all(
      tallies.map((t) =>
        this.telemetry
          .record(t.event, t.outcome as never, {
            uid: t.uid,
            count: t.count,
            latencyMs: t.latencyMs,
            ...(t.errorCode ? { errorCode: t.errorCode } : {}),
          })
          .catch((error: unknown) => logs.telemetryFailed(t.event, error)),
      ),
    );
  }
}
