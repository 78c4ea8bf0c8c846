import { z } from 'zod';
import { entityIdSchema, entityMetaShape } from './habit';
import { daysBetween, isLocalDay, localDaySchema } from './localDay';

export const COMPLETION_NOTE_MAX = 500;
export const COMPLETIONS_RANGE_MAX_DAYS = 366;

const countSchema = z.number().int().min(1).max(1000);
const noteSchema = z.string().max(COMPLETION_NOTE_MAX);

/** One completion per habit and local day, so a retried log addresses the same document. */
export function completionId(habitId: string, date: string): string {
  return `${habitId}_${date}`;
}

/** A completion's id is `<habitId>_<date>`; a date holds no `_`. */
export function habitIdOfCompletion(completionId: string): string {
  return completionId.slice(0, completionId.lastIndexOf('_'));
}

export const completionLogSchema = z.strictObject({
  habitId: entityIdSchema,
  date: localDaySchema,
  count: countSchema.default(1),
  note: noteSchema.optional(),
});
export type CompletionLogInput = z.infer<typeof completionLogSchema>;

export const completionDeleteSchema = z.strictObject({
  habitId: entityIdSchema,
  date: localDaySchema,
});
export type CompletionDeleteInput = z.infer<typeof completionDeleteSchema>;

export const completionListSchema = z
  .strictObject({
    habitId: entityIdSchema.optional(),
    from: localDaySchema,
    to: localDaySchema,
  })
  .superRefine((input, ctx) => {
    // Zod still runs this when a day failed its own check, and Date.parse would roll 02-30 over
    // into March: the range would then be judged on days the caller never sent.
    if (!isLocalDay(input.from) || !isLocalDay(input.to)) return;
    const span = daysBetween(input.from, input.to);
    if (span < 0)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    if (span > COMPLETIONS_RANGE_MAX_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `must be at most ${COMPLETIONS_RANGE_MAX_DAYS} days after from`,
      });
    }
  });
export type CompletionListInput = z.infer<typeof completionListSchema>;

export const completionSchema = z.strictObject({
  ...entityMetaShape,
  id: z.string().min(1),
  habitId: entityIdSchema,
  date: localDaySchema,
  count: countSchema,
  note: noteSchema.optional(),
  completedAt: z.iso.datetime(),
});
export type Completion = z.infer<typeof completionSchema>;
