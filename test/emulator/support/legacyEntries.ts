import type { LegacyRecord } from '../../../functions/src/data/legacy/legacyRecords';

/**
 * Legacy records as the CloudKit adapter hands them to the backfill (already decoded), for tests
 * that drive the production classes with an in-memory legacy store.
 */
export function legacyHabitEntry(
  id: string,
  at = Date.parse('2025-01-01T08:00:00.000Z'),
): LegacyRecord {
  return {
    kind: 'habit',
    recordName: `CD_Habit_${id}`,
    recordChangeTag: 't1',
    fields: {
      CD_entityName: 'Habit',
      CD_id: id,
      CD_name: 'Read',
      CD_scheduleType: 'daily',
      CD_targetPerDay: 1,
      CD_archived: 0,
      CD_createdAt: at,
      CD_updatedAt: at,
      CD_version: 1,
    },
  };
}
