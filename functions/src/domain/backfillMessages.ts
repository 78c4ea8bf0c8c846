import { z } from 'zod';
import { invalidUidReason } from './documentIds';

/** A Firebase uid as Auth issues it, and one that can name users/{uid}. */
export const uidSchema = z.string().superRefine((uid, ctx) => {
  const reason = invalidUidReason(uid);
  if (reason) ctx.addIssue({ code: 'custom', message: reason });
});

const runOptions = {
  force: z.boolean().default(false),
  dryRun: z.boolean().default(false),
};

/** docs/api.md "Pub/Sub: topic migration-backfill"; `dryRun` is accepted for `users` too. */
export const backfillMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user'), uid: uidSchema, ...runOptions }),
  z.strictObject({
    type: z.literal('users'),
    uids: z.array(uidSchema).min(1).max(500),
    ...runOptions,
  }),
  z.strictObject({ type: z.literal('all'), ...runOptions }),
  // Migrated users only: the changes since their last catch-up, never a re-copy (that is `force`).
  z
    .strictObject({
      type: z.literal('catchup'),
      uid: uidSchema.optional(),
      uids: z.array(uidSchema).min(1).max(500).optional(),
      all: z.literal(true).optional(),
    })
    .refine(
      (m) => [m.uid, m.uids, m.all].filter((named) => named !== undefined).length === 1,
      'name exactly one of uid, uids or all',
    ),
]);
export type BackfillMessage = z.output<typeof backfillMessageSchema>;

export interface RunKind {
  force: boolean;
  dryRun: boolean;
}

/** One batch of one user's run: the task the per-user worker receives. */
export const backfillTaskSchema = z.strictObject({
  uid: uidSchema,
  runId: z.string().min(1),
  batch: z.number().int().min(0),
  dryRun: z.boolean(),
});
export type BackfillTask = z.output<typeof backfillTaskSchema>;

/** One user's catch-up: whatever asked, at `requestedAt` (a pass reading after it answers it). */
export const catchUpTaskSchema = z.strictObject({
  uid: uidSchema,
  requestedAt: z.iso.datetime(),
});
export type CatchUpTask = z.output<typeof catchUpTaskSchema>;

/**
 * One page of the users to catch up: `due`, the schedule's followed users whose last catch-up
 * started before `dueBefore`; `all`, an operator's every migrated user (followed or not yet).
 */
export const catchUpSweepTaskSchema = z.strictObject({
  sweepId: z.string().min(1),
  scope: z.enum(['due', 'all']),
  dueBefore: z.iso.datetime(),
  /** Where the previous page ended: its last state document (and, for `due`, its caughtUpAt). */
  after: z.strictObject({ path: z.string().min(1), caughtUpAt: z.string().optional() }).nullable(),
});
export type CatchUpSweepTask = z.output<typeof catchUpSweepTaskSchema>;

/** One page of the legacy user list, for `all`: the fan-out task. */
export const fanOutTaskSchema = z.strictObject({
  fanOutId: z.string().min(1),
  pageToken: z.string().nullable(),
  force: z.boolean(),
  dryRun: z.boolean(),
});
export type FanOutTask = z.output<typeof fanOutTaskSchema>;
