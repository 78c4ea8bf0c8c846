import { deleteAllClients, signedInUser } from '../support/client';
import { legacyUserWithToken, sim } from '../support/simulator';

afterAll(deleteAllClients);

const HABIT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ms = (iso: string) => Date.parse(iso);
const str = (value: string) => ({ value, type: 'STRING' });
const int = (value: number) => ({ value, type: 'INT64' });
const time = (iso: string) => ({ value: ms(iso), type: 'TIMESTAMP' });

/** What the iOS app's Core Data mirroring left in CloudKit for this user. */
function legacyRecords() {
  const habitRecord = `CD_Habit_${HABIT_ID}`;
  return [
    {
      recordName: habitRecord,
      recordType: 'CD_Habit',
      fields: {
        CD_entityName: str('Habit'),
        CD_id: str(HABIT_ID),
        CD_name: str('Journal'),
        CD_scheduleType: str('daily'),
        CD_targetPerDay: int(1),
        CD_archived: int(0),
        CD_createdAt: time('2025-01-01T08:00:00.000Z'),
        CD_updatedAt: time('2025-01-02T08:00:00.000Z'),
        CD_version: int(3),
      },
    },
    {
      recordName: `CD_Completion_${HABIT_ID}_2025-01-05`,
      recordType: 'CD_Completion',
      fields: {
        CD_entityName: str('Completion'),
        CD_id: str(`${HABIT_ID}_2025-01-05`),
        CD_habit: str(habitRecord),
        CD_date: str('2025-01-05'),
        CD_count: int(2),
        CD_completedAt: time('2025-01-05T20:00:00.000Z'),
        CD_createdAt: time('2025-01-05T20:00:00.000Z'),
        CD_updatedAt: time('2025-01-05T20:00:00.000Z'),
        CD_version: int(1),
      },
    },
    {
      recordName: 'CD_XPEvent_x1',
      recordType: 'CD_XPEvent',
      fields: {
        CD_entityName: str('XPEvent'),
        CD_id: str('x1'),
        CD_amount: int(120),
        CD_reason: str('completion'),
        CD_occurredAt: time('2025-01-05T20:00:00.000Z'),
      },
    },
    {
      recordName: `CD_Streak_${HABIT_ID}`,
      recordType: 'CD_Streak',
      fields: {
        CD_entityName: str('Streak'),
        CD_habit: str(habitRecord),
        CD_current: int(0),
        CD_longest: int(9),
        CD_lastCompletedDate: str('2025-01-05'),
      },
    },
  ];
}

describe('legacy read fallback while the migration is incomplete', () => {
  it('shows a user with legacy data and nothing in Firestore their data, marked as legacy', async () => {
    const user = await signedInUser();
    const token = await legacyUserWithToken(user.uid);
    await sim('PUT', `/__sim/users/${user.uid}/records`, { records: legacyRecords() });
    await user.call('legacy-link', { webAuthToken: token });

    const list = await user.call<{ habits: { id: string; name: string }[]; source?: string }>(
      'habits-list',
      {},
    );
    expect(list).toMatchObject({ source: 'legacy', habits: [{ id: HABIT_ID, name: 'Journal' }] });

    expect(await user.call('habits-get', { id: HABIT_ID })).toMatchObject({
      id: HABIT_ID,
      name: 'Journal',
      version: 3,
      createdAt: '2025-01-01T08:00:00.000Z',
      source: 'legacy',
    });

    expect(
      await user.call('completions-list', { from: '2025-01-01', to: '2025-01-31' }),
    ).toMatchObject({
      source: 'legacy',
      completions: [{ habitId: HABIT_ID, date: '2025-01-05', count: 2 }],
    });

    expect(await user.call('progress-get')).toMatchObject({
      source: 'legacy',
      progress: { totalXp: 120, level: 2 },
      streaks: [{ habitId: HABIT_ID, longest: 9 }],
    });
  });

  it('reads Firestore alone once the migration is complete', async () => {
    const user = await signedInUser();
    const token = await legacyUserWithToken(user.uid);
    await sim('PUT', `/__sim/users/${user.uid}/records`, { records: legacyRecords() });
    await user.call('legacy-link', { webAuthToken: token });
    const { adminDb } = await import('../support/admin');
    await adminDb().doc(`users/${user.uid}/meta/migration`).set({ status: 'completed' });
    expect(await user.call('habits-list', {})).toEqual({ habits: [] });
  });
});
