import { z } from 'zod';

/** A Firebase uid as Auth issues it: 1-128 characters, and never a path separator. */
export const uidSchema = z
  .string()
  .min(1)
  .max(128)
  .refine((uid) => !uid.includes('/'), 'must not contain "/"');

const runOptions = {
  force: z.boolean().default(false),
  dryRun: z.boolean().default(false),
};

/** API.md "Pub/Sub: topic migration-backfill"; `dryRun` is accepted for `users` too. */
export const backfillMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user'), uid: uidSchema, ...runOptions }),
  z.strictObject({
    type: z.literal('users'),
    uids: z.array(uidSchema).min(1).max(500),
    ...runOptions,
  }),
  z.strictObject({ type: z.literal('all'), ...runOptions }),
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

/** One page of the legacy user list, for `all`: the fan-out task. */
export const fanOutTaskSchema = z.strictObject({
  fanOutId: z.string().min(1),
  pageToken: z.string().nullable(),
  force: z.boolean(),
  dryRun: z.boolean(),
});
export type FanOutTask = z.output<typeof fanOutTaskSchema>;
