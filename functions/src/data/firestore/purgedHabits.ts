import type { DocumentReference, DocumentSnapshot } from 'firebase-admin/firestore';
import type { UserPaths } from './paths';

/**
 * Of the named habits, those deleted through the API whose days are still being purged
 * (data/habitWork): their completions must not be shown. Two reads per distinct habit, whatever
 * the history. A habit the migration deleted leaves no purge request: its days stay as they were.
 */
export async function habitsBeingPurged(
  getAll: (...refs: DocumentReference[]) => Promise<DocumentSnapshot[]>,
  paths: UserPaths,
  habitIds: Iterable<string>,
): Promise<Set<string>> {
  const ids = [...new Set(habitIds)];
  if (ids.length === 0) return new Set();
  const snaps = await getAll(
    ...ids.flatMap((id) => [paths.habits.doc(id), paths.habitWork.doc(id)]),
  );
  return new Set(
    ids.filter((_, i) => !snaps[2 * i].exists && snaps[2 * i + 1].get('purge') === true),
  );
}
