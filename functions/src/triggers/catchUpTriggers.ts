import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { config, legacySecrets } from '../config';
import { functionsApp as deps } from '../app';
import { catchUpSweepTaskSchema, catchUpTaskSchema } from '../domain/backfillMessages';
import { validatedTask } from './validatedTask';

/**
 * One user's catch-up pass (migration/catchUpJob). A pass already running for the user makes
 * this one throw: the task queue retries it after that pass, and it then finds itself served.
 */
export const legacyCatchUp = onTaskDispatched(
  {
    region: config.region,
    secrets: legacySecrets,
    memory: config.catchUpMemory,
    timeoutSeconds: config.catchUpTimeoutSeconds,
    ...config.catchUpQueue,
  },
  validatedTask('legacyCatchUp', catchUpTaskSchema, (task) => deps.catchUpJob().run(task)),
);

/** One page of the users to catch up (migration/catchUpSweep). */
export const legacyCatchUpSweep = onTaskDispatched(
  {
    region: config.region,
    ...config.catchUpSweepQueue,
  },
  validatedTask('legacyCatchUpSweep', catchUpSweepTaskSchema, (task) =>
    deps.catchUpSweep().page(task),
  ),
);

/** Followed users whose last catch-up is older than `legacyCatchUpIntervalMinutes` are due. */
export const legacyCatchUpSchedule = onSchedule(
  { schedule: `every ${config.catchUpScheduleMinutes} minutes`, region: config.region },
  async (event) => {
    await deps.scheduleCatchUps(new Date(event.scheduleTime));
  },
);
