import { onDocumentCreated } from 'firebase-functions/v2/firestore';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { z } from 'zod';
import { config, legacySecrets } from '../config';
import * as deps from '../api/dependencies';
import { firestore } from '../data/firestore/db';
import { enqueueDelivery } from '../data/outbox/deliveryQueue';
import { sweepStaleOutbox } from '../data/outbox/outboxSweep';
import type { DeliveryResult } from '../data/outbox/outboxDelivery';
import { logs } from '../logs';

/** A delivery found already done ("gone") is a duplicate task: not counted again. */
const secondaryOutcome: Record<DeliveryResult, 'success' | 'failure' | 'parked' | undefined> = {
  delivered: 'success',
  superseded: 'success',
  awaiting_link: 'parked',
  failed: 'failure',
  gone: undefined,
};

const deliveryTaskSchema = z.object({ uid: z.string().min(1), opId: z.string().min(1) });

/** A committed outbox entry is handed to the delivery queue, outside the user's request. */
export const legacyOutboxCreated = onDocumentCreated(
  { document: 'users/{uid}/legacyOutbox/{opId}', region: config.region, retry: true },
  async (event) => {
    const enqueues = (event.data?.get('enqueues') as number | undefined) ?? 1;
    await enqueueDelivery({ uid: event.params.uid, opId: event.params.opId }, enqueues);
  },
);

/**
 * Delivery to the legacy store: rate-limited so a backlog cannot overrun CloudKit, and retried
 * with backoff for as long as an outage plausibly lasts; the stale-outbox sweep covers longer ones.
 */
export const legacyDelivery = onTaskDispatched(
  {
    region: config.region,
    secrets: legacySecrets,
    retryConfig: { maxAttempts: 20, minBackoffSeconds: 2, maxBackoffSeconds: 600, maxDoublings: 4 },
    rateLimits: { maxConcurrentDispatches: 20, maxDispatchesPerSecond: 50 },
  },
  async (request) => {
    const parsed = deliveryTaskSchema.safeParse(request.data);
    if (!parsed.success) {
      logs.invalidTaskPayload('legacyDelivery', parsed.error.issues);
      return;
    }
    const { uid, opId } = parsed.data;
    const started = Date.now();
    try {
      const result = await deps.outboxDelivery().deliver(uid, opId);
      const outcome = secondaryOutcome[result];
      if (outcome) {
        await deps.telemetry().record('dualWriteSecondary', outcome, {
          uid,
          latencyMs: Date.now() - started,
          ...(outcome === 'failure' && { errorCode: 'rejected' }),
        });
      }
    } catch (error) {
      await deps.telemetry().record('dualWriteSecondary', 'failure', {
        uid,
        latencyMs: Date.now() - started,
        errorCode: String((error as { code?: unknown }).code ?? 'unknown'),
      });
      throw error; // the task queue retries with backoff
    }
  },
);

/** Re-drives what the trigger or the task queue dropped: nothing committed stays undelivered. */
export const legacyOutboxSweep = onSchedule(
  { schedule: 'every 10 minutes', region: config.region },
  async () => {
    logs.outboxSwept(await sweepStaleOutbox(firestore(), new Date()));
  },
);
