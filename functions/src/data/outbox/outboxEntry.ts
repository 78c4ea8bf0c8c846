import { z } from 'zod';
import { type LegacyRecordKind, legacyRecordName } from '../legacy/legacyRecords';
import type { EntityChange } from '../entityChange';
import { documentIdOf } from '../../domain/documentIds';

/**
 * users/{uid}/legacyOutbox/{recordName}: a CloudKit record that may differ from what Firestore
 * holds. One entry per record, rewritten by every change to it in the change's own commit, so a
 * burst of edits is one delivery of the latest state, and an entry only goes away once a delivery
 * that started after the last change has made CloudKit equal (or resolved a conflict).
 */
export const outboxStatuses = ['pending', 'awaiting_link', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

export const outboxEntrySchema = z.object({
  recordName: z.string().min(1),
  kind: z.enum(['habit', 'completion', 'streak', 'xpEvent']),
  id: z.string().min(1),
  status: z.enum(outboxStatuses),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Deliveries that failed on this entry since its last change. */
  attempts: z.number().int().min(0).optional(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/**
 * The id of a record's documents in legacyOutbox and legacyCopies: its name, escaped only if
 * Firestore refuses it (domain/documentIds), so every existing entry keeps its id. The entry
 * carries the name itself, and delivery goes by that.
 */
export function recordDocumentId(recordName: string): string {
  return documentIdOf(recordName);
}

export function outboxRecordName(change: EntityChange): string {
  return legacyRecordName(change.kind satisfies LegacyRecordKind, change.id);
}

export function newOutboxEntry(change: EntityChange, now: string): OutboxEntry {
  return {
    recordName: outboxRecordName(change),
    kind: change.kind,
    id: change.id,
    status: 'pending',
    createdAt: now,
    updatedAt: now,
    attempts: 0,
    lastError: null,
  };
}
