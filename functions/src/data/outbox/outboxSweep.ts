import type { Firestore } from 'firebase-admin/firestore';
import { touchEntry } from './touchEntry';

export interface SweepSettings {
  /** A pending entry this old has lost its task (a trigger that never fired, retries used up). */
  staleAfterMs: number;
  /** A failed entry is tried again after this long (CloudKit refusals are rare and may pass). */
  failedRetryAfterMs: number;
  /** Entries per run; the next run takes what is left. */
  limit: number;
}

/**
 * Re-drives, across all users, pending entries no task is working on and failed ones whose
 * refusal may have passed, by rewriting them (the outbox trigger queues their drain). Parked
 * (awaiting_link) entries wait for the app's next `legacy-link` instead.
 */
export async function sweepStaleOutbox(
  db: Firestore,
  now: Date,
  settings: SweepSettings,
): Promise<number> {
  const older = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const [stale, failed] = await Promise.all([
    db
      .collectionGroup('legacyOutbox')
      .where('status', '==', 'pending')
      .where('updatedAt', '<', older(settings.staleAfterMs))
      .limit(settings.limit)
      .get(),
    db
      .collectionGroup('legacyOutbox')
      .where('status', '==', 'failed')
      .where('updatedAt', '<', older(settings.failedRetryAfterMs))
      .limit(settings.limit)
      .get(),
  ]);
  const docs = [...stale.docs, ...failed.docs];
  const done = await Promise.all(
    docs.map((doc) => touchEntry(doc, { status: 'pending', updatedAt: now.toISOString() })),
  );
  return done.filter(Boolean).length;
}
