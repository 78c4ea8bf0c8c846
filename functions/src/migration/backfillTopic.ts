/** The Pub/Sub topic operators publish backfill requests to (API.md). */
export const BACKFILL_TOPIC = 'migration-backfill';
