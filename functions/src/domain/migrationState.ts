import { z } from 'zod';

export const migrationStatuses = [
  'not_started',
  'queued',
  'awaiting_link',
  'running',
  'completed',
  'completed_with_errors',
  'failed',
] as const;
export type MigrationStatus = (typeof migrationStatuses)[number];

/** users/{uid}/meta/migration as DESIGN.md describes it; every field but status is optional. */
export const migrationStateSchema = z.looseObject({
  status: z.enum(migrationStatuses),
  runId: z.string().optional(),
  cursor: z.string().nullable().optional(),
  batches: z.number().int().optional(),
  counts: z.record(z.string(), z.number().int()).optional(),
  attempts: z.number().int().optional(),
  lastError: z
    .object({ code: z.string(), message: z.string(), at: z.string() })
    .nullable()
    .optional(),
  queuedAt: z.string().nullable().optional(),
  startedAt: z.string().nullable().optional(),
  updatedAt: z.string().nullable().optional(),
  completedAt: z.string().nullable().optional(),
  leaseOwner: z.string().nullable().optional(),
  leaseExpiresAt: z.string().nullable().optional(),
  schemaVersion: z.number().int().optional(),
});
export type MigrationState = z.infer<typeof migrationStateSchema>;

export const NOT_STARTED: MigrationState = { status: 'not_started' };
