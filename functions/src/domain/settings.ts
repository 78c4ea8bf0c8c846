import { z } from 'zod';
import { isValidTimeZone } from './localDay';

export const DEFAULT_TIME_ZONE = 'UTC';
/** The one settings document the app writes: users/{uid}/settings/preferences. */
export const SETTINGS_DOC_ID = 'preferences';

// firestore.rules checks the same keys, types and sizes for the owner's direct writes.
export const settingsSchema = z.strictObject({
  timeZone: z
    .string()
    .max(64)
    .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Paris' }),
  remindersEnabled: z.boolean().optional(),
  locale: z.string().min(2).max(35).optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** Settings as stored may be missing or hand-edited: anything unusable means the defaults. */
export function settingsOrDefault(raw: unknown): Settings {
  const parsed = settingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : { timeZone: DEFAULT_TIME_ZONE };
}
