/**
 * Every migration status, in the order a run passes through them. A module of its own, free of
 * imports, so the dashboard's page bundles this list without the schemas around it.
 */
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
