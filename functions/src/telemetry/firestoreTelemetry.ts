import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { logs } from '../logs';
import type {
  Telemetry,
  TelemetryEvent,
  TelemetryFields,
  TelemetryOutcome,
} from './telemetryEvents';

export const TELEMETRY_SHARDS = 10;

/** ops/telemetry/hours/{YYYY-MM-DDTHH}/shards/{n}: one hour's counters, spread over shards. */
export function hourKey(at: Date): string {
  return at.toISOString().slice(0, 13);
}

export function shardsOfHour(db: Firestore, hour: string) {
  return db.collection('ops').doc('telemetry').collection('hours').doc(hour).collection('shards');
}

/**
 * Counters that survive any write rate: each increment lands on a random shard of the current
 * hour, so no document takes more than a fraction of the traffic, and reads sum the shards.
 */
export class FirestoreTelemetry implements Telemetry {
  constructor(
    private readonly db: Firestore,
    private readonly clock: () => Date = () => new Date(),
    private readonly shard: () => number = () => Math.floor(Math.random() * TELEMETRY_SHARDS),
  ) {}

  async record<E extends TelemetryEvent>(
    event: E,
    outcome: TelemetryOutcome<E>,
    fields: TelemetryFields,
  ): Promise<void> {
    logs.telemetry(event, outcome, fields);
    const now = this.clock();
    // Nested maps, not dotted keys: set() with merge takes a dotted key as one literal name.
    const counters: Record<string, unknown> = {
      [event]: {
        [outcome]: FieldValue.increment(fields.count ?? 1),
        ...(fields.latencyMs !== undefined && {
          latencyMsTotal: FieldValue.increment(Math.round(fields.latencyMs)),
        }),
      },
      updatedAt: now.toISOString(),
    };
    await shardsOfHour(this.db, hourKey(now))
      .doc(String(this.shard()))
      .set(counters, { merge: true });
  }
}
