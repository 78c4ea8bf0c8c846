import type { Firestore } from 'firebase-admin/firestore';
import { SETTINGS_DOC_ID } from '../../domain/settings';

/** Where each piece of a user's data lives (docs/architecture.md, "Data in Firestore"). */
export function userPaths(db: Firestore, uid: string) {
  const user = db.collection('users').doc(uid);
  return {
    habits: user.collection('habits'),
    completions: user.collection('completions'),
    xpEvents: user.collection('xpEvents'),
    streaks: user.collection('streaks'),
    tombstones: user.collection('tombstones'),
    legacyOutbox: user.collection('legacyOutbox'),
    /** The change tag (and version) of the last copy this backend wrote to each CloudKit record. */
    legacyCopies: user.collection('legacyCopies'),
    migrationErrors: user.collection('migrationErrors'),
    /** Per-habit work a write left for the background: days to purge, a streak to recount. */
    habitWork: user.collection('habitWork'),
    progress: user.collection('meta').doc('progress'),
    sync: user.collection('meta').doc('sync'),
    migration: user.collection('meta').doc('migration'),
    /** A dry run's state: kept apart so that counting never changes how the user is served. */
    migrationDryRun: user.collection('meta').doc('migrationDryRun'),
    /** The user's latest continuous verification (migration/consistency). */
    consistency: user.collection('meta').doc('consistency'),
    settings: user.collection('settings').doc(SETTINGS_DOC_ID),
  };
}
export type UserPaths = ReturnType<typeof userPaths>;
