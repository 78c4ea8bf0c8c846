import type { Telemetry, TelemetryEvent, TelemetryOutcome } from './telemetryEvents';

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
 * Delivery outcomes, noted beside each delivery (never awaited by it) and recorded in one go when
 * the task ends: one structured log line per distinct outcome rather than one per record, and
 * the counts reach Firestore with the task's telemetry flush (triggers/flushingTelemetry).
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

  /** Hands the task's tallies to the instance's counters, which the task's end flushes. */
  flush(): void {
    for (const t of this.tallies.values()) {
      this.telemetry.record(t.event, t.outcome as never, {
        uid: t.uid,
        count: t.count,
        latencyMs: t.latencyMs,
        ...(t.errorCode ? { errorCode: t.errorCode } : {}),
      });
    }
    this.tallies.clear();
  }
}
