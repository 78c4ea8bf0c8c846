import { z } from 'zod';

export const HABIT_NAME_MAX = 100;
export const HABIT_EMOJI_MAX = 16;

export const scheduleSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('daily') }),
  z.strictObject({
    type: z.literal('weekly'),
    days: z
      .array(z.number().int().min(0).max(6))
      .min(1)
      .refine((days) => new Set(days).size === days.length, { message: 'days must be unique' }),
  }),
  z.strictObject({ type: z.literal('timesPerWeek'), count: z.number().int().min(1).max(7) }),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

/** Client-chosen ids must be safe as Firestore document ids and as the prefix of completion ids. */
export const entityIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be 1-64 letters, digits or dashes' });

const habitFieldShape = {
  name: z.string().trim().min(1).max(HABIT_NAME_MAX),
  emoji: z.string().max(HABIT_EMOJI_MAX),
  color: z.string().regex(/^#[0-9A-Fa-f]{6}$/, { message: 'must be a color like #RRGGBB' }),
  schedule: scheduleSchema,
  targetPerDay: z.number().int().min(1).max(100),
  reminderTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a time like HH:MM (24-hour)' }),
  archived: z.boolean(),
};

export const habitCreateSchema = z.strictObject({
  id: entityIdSchema.optional(),
  name: habitFieldShape.name,
  emoji: habitFieldShape.emoji.optional(),
  color: habitFieldShape.color.optional(),
  schedule: habitFieldShape.schedule,
  targetPerDay: habitFieldShape.targetPerDay.default(1),
  reminderTime: habitFieldShape.reminderTime.optional(),
  archived: habitFieldShape.archived.default(false),
});
export type HabitCreateInput = z.infer<typeof habitCreateSchema>;

/** Optional fields may be cleared with `null` on update. */
export const habitUpdateSchema = z
  .strictObject({
    id: entityIdSchema,
    expectedVersion: z.number().int().min(1).optional(),
    name: habitFieldShape.name.optional(),
    emoji: habitFieldShape.emoji.nullable().optional(),
    color: habitFieldShape.color.nullable().optional(),
    schedule: habitFieldShape.schedule.optional(),
    targetPerDay: habitFieldShape.targetPerDay.optional(),
    reminderTime: habitFieldShape.reminderTime.nullable().optional(),
    archived: habitFieldShape.archived.optional(),
  })
  .refine((input) => Object.keys(input).some((key) => key !== 'id' && key !== 'expectedVersion'), {
    message: 'give at least one field to change',
  });
export type HabitUpdateInput = z.infer<typeof habitUpdateSchema>;

export const entityMetaShape = {
  id: entityIdSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
};

export const habitSchema = z.strictObject({
  ...entityMetaShape,
  name: habitFieldShape.name,
  emoji: habitFieldShape.emoji.optional(),
  color: habitFieldShape.color.optional(),
  schedule: habitFieldShape.schedule,
  targetPerDay: habitFieldShape.targetPerDay,
  reminderTime: habitFieldShape.reminderTime.optional(),
  archived: habitFieldShape.archived,
});
export type Habit = z.infer<typeof habitSchema>;

export const habitIdInputSchema = z.strictObject({ id: entityIdSchema });

export const HABITS_PAGE_MAX = 200;
export const HABITS_PAGE_DEFAULT = 50;
export const habitListSchema = z.strictObject({
  includeArchived: z.boolean().optional(),
  limit: z.number().int().min(1).max(HABITS_PAGE_MAX).default(HABITS_PAGE_DEFAULT),
  pageToken: z.string().min(1).max(1000).optional(),
});
export type HabitListInput = z.infer<typeof habitListSchema>;
