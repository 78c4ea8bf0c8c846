import type { Firestore } from 'firebase-admin/firestore';
import { config } from '../../config';
import { migrationStateSchema } from '../../domain/migrationState';

export interface RecentFailure {
  uid: string;
  status: string;
  error: string;
  at: string;
}

/** Runs that ended badly: failed, or completed with records quarantined. */
const FAILED_STATUSES = ['failed', 'completed_with_errors'];

/**
 * The latest runs that failed or completed with errors, newest first: one bounded query on the
 * state documents (`dryRun`, `status`, `updatedAt` desc; firestore.indexes.json), so it reads at
 * most `config.dashboard.recentFailures` documents whatever the number of users.
 */
export async function recentFailures(db: Firestore): Promise<RecentFailure[]> {
  const snap = await db
    .collectionGroup('meta')
    .where('dryRun', '==', false)
    .where('status', 'in', FAILED_STATUSES)
    .orderBy('updatedAt', 'desc')
    .limit(config.dashboard.recentFailures)
    .get();
  return snap.docs.flatMap((doc) => {
    const parsed = migrationStateSchema.safeParse(doc.data());
    // users/{uid}/meta/migration: the user is the grandparent.
    const uid = doc.ref.parent.parent?.id;
    if (!parsed.success || uid === undefined) return [];
    const state = parsed.data;
    const quarantined = state.counts?.quarantined ?? 0;
    return [
      {
        uid,
        status: state.status,
        error:
          state.lastError?.message ??
          (quarantined > 0 ? `${quarantined} records quarantined` : state.status),
        at: state.updatedAt ?? state.lastError?.at ?? '',
      },
    ];
  });
}
