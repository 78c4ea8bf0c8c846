import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import { z } from 'zod';
import { config } from '../config';
import { functionsApp as deps } from '../app';
import { firestore } from '../data/firestore/db';
import { sweepHabitWork } from '../data/habitWork/habitWorkJob';
import { enqueueHabitWork } from '../data/habitWork/habitWorkQueue';
import { logs } from '../logs';
import { validatedTask } from './validatedTask';

const habitWorkTaskSchema = z.object({ uid: z.string().min(1), habitId: z.string().min(1) });

/**
 * A habit write left work (users/{uid}/habitWork/{habitId}): queue its task. The request's write
 * time names the task, so a retried trigger queues it once and each new request anew. The task's
 * own clearing (a deletion) queues nothing.
 */
export const habitWorkRequested = onDocumentWritten(
  { document: 'users/{uid}/habitWork/{habitId}', region: config.region, retry: true },
  async (event) => {
    const after = event.data?.after;
    if (!after?.exists) return;
    const written = after.updateTime;
    const at = written ? `${written.seconds}.${written.nanoseconds}` : event.id;
    await enqueueHabitWork({ uid: event.params.uid, habitId: event.params.habitId }, at);
  },
);

/** Purges a deleted habit's days and recounts streaks (data/habitWork/habitWorkJob). */
export const habitWork = onTaskDispatched(
  {
    region: config.region,
    timeoutSeconds: config.habitWork.timeoutSeconds,
    ...config.habitWorkQueue,
  },
  validatedTask('habitWork', habitWorkTaskSchema, (task) => deps.habitWorkJob().run(task)),
);

/** Re-drives requests whose task was lost: nothing a write left for later is forgotten. */
export const habitWorkSweep = onSchedule(
  { schedule: `every ${config.habitWork.sweepMinutes} minutes`, region: config.region },
  async () => {
    logs.habitWorkSwept(await sweepHabitWork(firestore(), new Date(), config.habitWork));
  },
);
