import type { DocumentSnapshot } from 'firebase-admin/firestore';
import { z } from 'zod';
import { completionSchema } from '../../domain/completion';
import { habitSchema } from '../../domain/habit';
import { streakSchema } from '../../domain/streak';
import { logs } from '../../logs';

/**
 * Stored documents carry bookkeeping beside the entity (`updatedAt` on a streak, say): reading
 * strips it, and a document that does not match is reported rather than handed to a client.
 */
export const storedHabit = z.object(habitSchema.shape);
export const storedCompletion = z.object(completionSchema.shape);
export const storedStreak = z.object(streakSchema.shape);
/**
 * `ledgerXp` is the exact sum of the ledger; `totalXp` is what the app shows (never below 0).
 * A correction may land before the XP it corrects (a day logged on both apps), so the sum can dip
 * below zero for a while: kept apart, the total ends right whatever order entries arrive in.
 * Documents written before `ledgerXp` existed hold only `totalXp`.
 */
export const storedProgress = z.object({
  totalXp: z.number().int(),
  ledgerXp: z.number().int().optional(),
});
/** users/{uid}/xpEvents/{id}: one entry of the XP ledger (`occurredAt` for migrated ones). */
export const storedXpEvent = z.object({
  delta: z.number().int(),
  reason: z.string(),
  habitId: z.string().optional(),
  completionId: z.string().optional(),
  occurredAt: z.string().optional(),
  createdAt: z.string(),
});
export const storedTombstone = z.object({
  kind: z.enum(['habit', 'completion']),
  version: z.number().int(),
  deletedAt: z.string(),
});

export class CorruptDocumentError extends Error {
  constructor(readonly path: string) {
    super(`stored document ${path} is not readable`);
  }
}

export function readStored<S extends z.ZodType>(schema: S, snap: DocumentSnapshot): z.output<S> {
  const parsed = schema.safeParse(snap.data());
  if (!parsed.success) {
    logs.corruptDocument(snap.ref.path, parsed.error.issues);
    throw new CorruptDocumentError(snap.ref.path);
  }
  return parsed.data;
}

export function readStoredIfExists<S extends z.ZodType>(
  schema: S,
  snap: DocumentSnapshot,
): z.output<S> | undefined {
  return snap.exists ? readStored(schema, snap) : undefined;
}
