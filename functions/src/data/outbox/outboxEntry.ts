import { z } from 'zod';
import type { EntityChange } from '../entityChange';

/**
 * users/{uid}/legacyOutbox/{opId}: a change committed in Firestore and not yet in the legacy store.
 * The id names the change (entity and version), so recording or delivering it twice is harmless.
 */
export const outboxStatuses = ['pending', 'awaiting_link', 'failed'] as const;

export const outboxEntrySchema = z.object({
  change: z.custom<EntityChange>(
    (value) => typeof value === 'object' && value !== null && 'kind' in value && 'op' in value,
  ),
  status: z.enum(outboxStatuses),
  /** How many times delivery was queued: part of the task id, since Cloud Tasks blocks reused ids. */
  enqueues: z.number().int().min(0),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

export function outboxOpId(change: EntityChange): string {
  return `${change.kind}_${change.id}_v${change.version}`;
}
