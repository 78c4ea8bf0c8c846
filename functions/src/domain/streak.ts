import { z } from 'zod';
import { localDaySchema } from './localDay';

export const streakSchema = z.strictObject({
  habitId: z.string(),
  current: z.number().int().min(0),
  longest: z.number().int().min(0),
  lastCompletedDate: localDaySchema.nullable(),
});
export type Streak = z.infer<typeof streakSchema>;
