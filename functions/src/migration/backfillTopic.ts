/** The Pub/Sub topic operators publish backfill requests to (docs/api.md, "Pub/Sub"). */
export const BACKFILL_TOPIC = 'migration-backfill';
