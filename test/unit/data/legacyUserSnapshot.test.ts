import { legacyUserSnapshot } from '../../../functions/src/data/snapshots/legacyUserSnapshot';
import type { Completion } from '../../../functions/src/domain/completion';
import type { Habit } from '../../../functions/src/domain/habit';

const habit = (id: string, createdAt: string): Habit => ({
  id,
  name: id,
  schedule: { type: 'daily' },
  targetPerDay: 1,
  archived: false,
  createdAt,
  updatedAt: createdAt,
  version: 1,
});

const completion = (date: string): Completion => ({
  id: `h_${date}`,
  habitId: 'h',
  date,
  count: 1,
  completedAt: `${date}T10:00:00.000Z`,
  createdAt: `${date}T10:00:00.000Z`,
  updatedAt: `${date}T10:00:00.000Z`,
  version: 1,
});

describe('legacyUserSnapshot', () => {
  const now = new Date('2026-11-25T12:00:00Z');

  it('keeps five weeks of completions in date order, habits by creation, XP as progress', () => {
    const snapshot = legacyUserSnapshot(
      {
        habits: [habit('b', '2025-02-01T00:00:00.000Z'), habit('a', '2025-01-01T00:00:00.000Z')],
        completions: [completion('2026-11-25'), completion('2026-10-21'), completion('2026-10-22')],
        streaks: [],
        xpTotal: 120,
      },
      7,
      now,
    );

    expect(snapshot.version).toBe(7);
    expect(snapshot.source).toBe('legacy');
    expect(snapshot.habits.map((h) => h.id)).toEqual(['a', 'b']);
    // 35 days ending today: 2026-10-22 is the first, 2026-10-21 is one too old.
    expect(snapshot.completions.map((c) => c.date)).toEqual(['2026-10-22', '2026-11-25']);
    expect(snapshot.progress).toEqual({
      totalXp: 120,
      level: 2,
      xpIntoLevel: 20,
      xpForNextLevel: 200,
    });
    expect(snapshot.settings).toEqual({ timeZone: 'UTC' });
    expect(snapshot).not.toHaveProperty('partial');
  });

  it('says so when the legacy read stopped at its bound', () => {
    const empty = { habits: [], completions: [], streaks: [] };
    const partial = legacyUserSnapshot({ ...empty, xpTotal: 10, partial: true }, 0, now);
    expect(partial).toMatchObject({ source: 'legacy', partial: true });
  });
});
