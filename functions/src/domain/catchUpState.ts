import { z } from 'zod';

/** users/{uid}/meta/migration `catchUp`: how far the user's CloudKit change feed is followed. */
export const catchUpStateSchema = z.looseObject({
  /** Migrated, linked and not a dry run: the schedule keeps this user current. */
  following: z.boolean().optional(),
  /**
   * When the last read that reached the end of the feed started. Every change after the cursor
   * happened after it: a CloudKit deletion in the feed is judged against it (deletionsSince).
   */
  caughtUpAt: z.string().nullable().optional(),
  passes: z.number().int().optional(),
  /** Feed entries read by catch-ups, each in exactly one of `counts`. */
  changes: z.number().int().optional(),
  counts: z.record(z.string(), z.number().int()).optional(),
  /** Of `changes`, this backend's own writes coming back through the feed (skipped). */
  echoes: z.number().int().optional(),
  /** How long the oldest change of the last page with changes waited to reach Firestore. */
  lagMs: z.number().nullable().optional(),
  /** Habits whose days committed pages changed, until their streaks are recomputed. */
  streaksPending: z.array(z.string()).optional(),
  /** The last pass stopped before the end of the feed: more pages wait. */
  behind: z.boolean().optional(),
  lastError: z
    .object({ code: z.string(), message: z.string(), at: z.string() })
    .nullable()
    .optional(),
  updatedAt: z.string().optional(),
});
export type CatchUpState = z.infer<typeof catchUpStateSchema>;
