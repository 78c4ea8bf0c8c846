import { randomUUID } from 'node:crypto';
import type { CloudEvent } from 'firebase-functions/v2';
import { type MessagePublishedData, onMessagePublished } from 'firebase-functions/v2/pubsub';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { config, legacySecrets } from '../config';
import { functionsApp as deps } from '../app';
import { backfillTaskSchema, fanOutTaskSchema } from '../domain/backfillMessages';
import { logs } from '../logs';
import { dispatchBackfill, parseBackfillMessage } from '../migration/backfillDispatcher';
import { BACKFILL_TOPIC } from '../migration/backfillTopic';
import { flushingTelemetry } from './flushingTelemetry';
import { validatedTask } from './validatedTask';

/**
 * An operator's message. An invalid one is logged, counted and acknowledged: redelivering it
 * would fail the same way forever. A valid one that cannot be queued throws, so Pub/Sub retries.
 */
export const migrationBackfillMessages = onMessagePublished(
  { topic: BACKFILL_TOPIC, region: config.region, retry: true, secrets: legacySecrets },
  flushingTelemetry(async (event: CloudEvent<MessagePublishedData>) => {
    const { messageId } = event.data.message;
    const parsed = parseBackfillMessage(event.data.message.data);
    if (!parsed.ok) {
      logs.backfillMessageInvalid(messageId, parsed.reason, parsed.issues);
      deps.telemetry().record('backfillMessage', 'invalid', { uid: '-' });
      return;
    }
    await dispatchBackfill(
      parsed.message,
      { messageId, publishTime: event.data.message.publishTime },
      deps.backfillRequests(),
      deps.backfillTasks,
      deps.catchUpTasks,
    );
    deps.telemetry().record('backfillMessage', 'accepted', { uid: '-' });
  }),
);

/** One batch of one user's backfill (migration/backfillJob). */
export const migrationBackfill = onTaskDispatched(
  {
    region: config.region,
    secrets: legacySecrets,
    memory: config.backfillMemory,
    timeoutSeconds: config.backfillTimeoutSeconds,
    ...config.backfillQueue,
  },
  validatedTask('migrationBackfill', backfillTaskSchema, (task, request) =>
    deps.backfillJob().run(task, {
      owner: request.id || `unnamed-${randomUUID()}`,
      finalAttempt: request.retryCount >= config.backfillQueue.retryConfig.maxAttempts - 1,
    }),
  ),
);

/** One page of the legacy user list for an `all` message (migration/backfillFanOut). */
export const migrationFanOut = onTaskDispatched(
  {
    region: config.region,
    secrets: legacySecrets,
    ...config.fanOutQueue,
  },
  validatedTask('migrationFanOut', fanOutTaskSchema, (task) => deps.backfillFanOut().page(task)),
);
