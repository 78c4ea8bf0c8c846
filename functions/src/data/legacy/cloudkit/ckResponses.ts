import { z } from 'zod';
import { LegacyRejectedError } from '../legacyErrors';

/** Envelopes only: records inside are decoded one by one, so one bad record stays one. */
const records = z.array(z.unknown());

export const changesResponse = z.object({
  records,
  syncToken: z.string().min(1),
  moreComing: z.boolean().optional(),
});
export const recordsResponse = z.object({ records });
export const queryResponse = z.object({
  records,
  continuationMarker: z.string().min(1).optional(),
});

/** A 200 whose shape we do not know is a protocol mismatch: retrying would not change it. */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  body: unknown,
  op: string,
): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0]?.path.map(String).join('.') || '(body)';
  throw new LegacyRejectedError(
    `CloudKit ${op} answered with an unexpected shape at ${where}`,
    'UNEXPECTED_RESPONSE',
  );
}
