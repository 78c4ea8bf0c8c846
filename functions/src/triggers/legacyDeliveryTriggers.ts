import type { DocumentSnapshot } from 'firebase-admin/firestore';
import { onDocumentCreated, onDocumentUpdated } from 'firebase-functions/v2/firestore';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { z } from 'zod';
import { config, legacySecrets } from '../config';
import { functionsApp as deps } from '../app';
import { firestore } from '../data/firestore/db';
import { enqueueDrain } from '../data/outbox/deliveryQueue';
import { sweepStaleOutbox } from '../data/outbox/outboxSweep';
import { logs } from '../logs';
import { validatedTask } from './validatedTask';

const deliveryTaskSchema = z.object({ uid: z.string().min(1) });

/** An outbox entry as a trigger sees it: its status and when its change was recorded. */
type EntrySnapshot = Pick<DocumentSnapshot, 'get' | 'updateTime'>;

/**
 * A change (re)wrote an outbox entry as pending: its user's outbox needs a drain. The entry's
 * write time names the task, so a retried trigger queues it once and every new change anew.
 * Bookkeeping writes (parked, failed, a retry noted) keep `updatedAt` or leave pending: skipped.
 */
async function drainIfPending(
  uid: string,
  recordName: string,
  eventId: string,
  after: EntrySnapshot,
  before?: EntrySnapshot,
): Promise<void> {
  if (after.get('status') !== 'pending') return;
  const changed =
    !before ||
    before.get('status') !== 'pending' ||
    before.get('updatedAt') !== after.get('updatedAt');
  if (!changed) return;
  const written = after.updateTime;
  const at = written ? `${written.seconds}.${written.nanoseconds}` : eventId;
  await enqueueDrain(uid, `${recordName}@${at}`);
}

const OUTBOX_ENTRY = {
  document: 'users/{uid}/legacyOutbox/{recordName}',
  region: config.region,
  retry: true,
};

/**
 * Created and updated entries only: a delivered entry's deletion needs nothing, and a trigger on
 * every write would run once more per delivered record for nothing.
 */
export const legacyOutboxCreated = onDocumentCreated(OUTBOX_ENTRY, async (event) => {
  if (!event.data) return;
  await drainIfPending(event.params.uid, event.params.recordName, event.id, event.data);
});

export const legacyOutboxUpdated = onDocumentUpdated(OUTBOX_ENTRY, async (event) => {
  if (!event.data) return;
  const { before, after } = event.data;
  await drainIfPending(event.params.uid, event.params.recordName, event.id, after, before);
});

/**
 * Drains one user's outbox into CloudKit: rate-limited so a backlog cannot overrun CloudKit,
 * retried with backoff for as long as an outage plausibly lasts; the sweep covers longer ones.
 */
export const legacyDelivery = onTaskDispatched(
  { region: config.region, secrets: legacySecrets, ...config.legacyDeliveryQueue },
  validatedTask('legacyDelivery', deliveryTaskSchema, async ({ uid }) => {
    const recorded = deps.deliveryTelemetry();
    try {
      const report = await deps.outboxDrain(recorded.onOutcome).drain(uid);
      logs.outboxDrained(uid, report === 'busy' ? 'busy' : report.outcomes);
    } catch (error) {
      recorded.onOutcome(uid, 'retrying', 0, String((error as { code?: unknown }).code ?? ''));
      throw error; // the task queue retries with backoff
    } finally {
      // Counted beside the deliveries; validatedTask writes the counters before the task ends.
      recorded.flush();
    }
  }),
);

/** Re-drives what the trigger or the task queue dropped: nothing committed stays undelivered. */
export const legacyOutboxSweep = onSchedule(
  { schedule: `every ${config.outboxSweep.sweepMinutes} minutes`, region: config.region },
  async () => {
    logs.outboxSwept(await sweepStaleOutbox(firestore(), new Date(), config.outboxSweep));
  },
);
