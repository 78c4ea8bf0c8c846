import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { config, legacySecrets } from '../config';
import { functionsApp as deps } from '../app';
import { shadowCompareTaskSchema } from '../domain/consistency';
import { flushingTelemetry } from './flushingTelemetry';
import { validatedTask } from './validatedTask';

const { shadowQueue } = config.consistency;

/**
 * One sampled read compared with CloudKit (migration/consistency/shadowComparison). A CloudKit
 * failure is retried a few times, then counted as `failed` on the last attempt: a lost
 * comparison is a missing sample, not worth the queue's patience.
 */
export const consistencyShadowCompare = onTaskDispatched(
  { region: config.region, secrets: legacySecrets, ...shadowQueue },
  validatedTask('consistencyShadowCompare', shadowCompareTaskSchema, (task, request) =>
    deps
      .shadowComparison()
      .run(task, request.retryCount >= shadowQueue.retryConfig.maxAttempts - 1),
  ),
);

/** The next few migrated users verified record for record (migration/consistency). */
export const consistencyVerification = onSchedule(
  {
    schedule: `every ${config.consistency.verifyEveryMinutes} minutes`,
    region: config.region,
    secrets: legacySecrets,
    timeoutSeconds: config.consistency.verifyTimeoutSeconds,
  },
  flushingTelemetry(async () => {
    await deps.continuousVerification().run();
  }),
);
