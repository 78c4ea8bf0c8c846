import type { CollectionReference, QueryDocumentSnapshot } from 'firebase-admin/firestore';
import type { DayCount } from '../../domain/streakRuns';

export interface HabitHistory {
  habitId: string;
  days: DayCount[];
}

/**
 * Every habit's days, one habit after another, from a single query over the user's completions
 * ordered by habit. One query instead of one per habit (Firestore's emulator scans the whole
 * collection for each filtered query), and memory holds one habit's history at a time.
 */
export async function* historiesByHabit(
  completions: CollectionReference,
): AsyncGenerator<HabitHistory> {
  const stream = completions.orderBy('habitId').select('habitId', 'date', 'count').stream();
  let current: HabitHistory | undefined;
  for await (const doc of stream as AsyncIterable<QueryDocumentSnapshot>) {
    const habitId = doc.get('habitId') as string;
    if (current?.habitId !== habitId) {
      if (current) yield current;
      current = { habitId, days: [] };
    }
    current.days.push({ date: doc.get('date') as string, count: doc.get('count') as number });
  }
  if (current) yield current;
}
