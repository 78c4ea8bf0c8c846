import type { Firestore } from 'firebase-admin/firestore';
import { addDays, localDayAt } from '../../domain/localDay';
import { settingsOrDefault } from '../../domain/settings';
import { progressOf, streaksAsOf } from '../firestore/firestoreHabitRepository';
import { userPaths } from '../firestore/paths';
import { habitsBeingPurged } from '../firestore/purgedHabits';
import { readStored, storedCompletion, storedHabit } from '../firestore/storedDocuments';
import { type DatedSnapshot, SNAPSHOT_COMPLETION_DAYS } from './userSnapshot';

/** Reads a user's snapshot from Firestore, and the one document that says whether it changed. */
export class FirestoreSnapshotReader {
  constructor(
    private readonly db: Firestore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** users/{uid}/meta/sync.version: 0 for a user who never wrote anything. */
  async version(uid: string): Promise<number> {
    const snap = await userPaths(this.db, uid).sync.get();
    return (snap.get('version') as number | undefined) ?? 0;
  }

  /**
   * Everything in one read-only transaction, so the version and the data belong together: a
   * write committed in between cannot show in the data under the older version.
   */
  read(uid: string): Promise<DatedSnapshot> {
    const paths = userPaths(this.db, uid);
    return this.db.runTransaction(
      async (tx) => {
        const [syncSnap, settingsSnap] = await Promise.all([
          tx.get(paths.sync),
          tx.get(paths.settings),
        ]);
        const settings = settingsOrDefault(settingsSnap.data());
        const localDay = localDayAt(this.clock(), settings.timeZone);
        const from = addDays(localDay, -(SNAPSHOT_COMPLETION_DAYS - 1));
        const [habitsSnap, completionsSnap, progressSnap, streaksSnap] = await Promise.all([
          tx.get(paths.habits.orderBy('createdAt')),
          tx.get(paths.completions.where('date', '>=', from).orderBy('date')),
          tx.get(paths.progress),
          tx.get(paths.streaks),
        ]);
        const habits = habitsSnap.docs.map((d) => readStored(storedHabit, d));
        const completions = completionsSnap.docs.map((d) => readStored(storedCompletion, d));
        const present = new Set(habits.map((h) => h.id));
        const purging = await habitsBeingPurged(
          (...refs) => tx.getAll(...refs),
          paths,
          completions.map((c) => c.habitId).filter((id) => !present.has(id)),
        );
        return {
          localDay,
          snapshot: {
            version: (syncSnap.get('version') as number | undefined) ?? 0,
            habits,
            completions: completions.filter((c) => !purging.has(c.habitId)),
            progress: progressOf(progressSnap),
            streaks: streaksAsOf(streaksSnap.docs, habits, localDay),
            settings,
          },
        };
      },
      { readOnly: true },
    );
  }
}
