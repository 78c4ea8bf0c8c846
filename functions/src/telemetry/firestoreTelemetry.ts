import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { config } from '../config';
import {
  BufferedTelemetry,
  type CounterWriter,
  hourKey,
  type TelemetryFlushSettings,
} from './bufferedTelemetry';

export { hourKey };

/** ops/telemetry/hours/{YYYY-MM-DDTHH}/shards/{n}: one hour's counters, spread over shards. */
export function shardsOfHour(db: Firestore, hour: string) {
  return db.collection('ops').doc('telemetry').collection('hours').doc(hour).collection('shards');
}

/**
 * One commit per flush: a merged set of increments on one shard of each hour held (normally the
 * current hour alone). Nested maps, not dotted keys: set() with merge takes a dotted key as one
 * literal name.
 */
export function firestoreCounterWriter(db: Firestore): CounterWriter {
  return async (counts, shard, at) => {
    const batch = db.batch();
    for (const [hour, events] of counts) {
      const counters: Record<string, unknown> = { updatedAt: at.toISOString() };
      for (const [event, outcomes] of Object.entries(events)) {
        counters[event] = Object.fromEntries(
          Object.entries(outcomes).map(([name, n]) => [name, FieldValue.increment(n)]),
        );
      }
      batch.set(shardsOfHour(db, hour).doc(String(shard)), counters, { merge: true });
    }
    await batch.commit();
  };
}

/** The counters of this deployment: buffered per instance, flushed to Firestore's hour shards. */
export class FirestoreTelemetry extends BufferedTelemetry {
  constructor(
    db: Firestore,
    settings: TelemetryFlushSettings = config.telemetry,
    clock?: () => Date,
    random?: () => number,
  ) {
    super(firestoreCounterWriter(db), settings, clock, random);
  }
}
