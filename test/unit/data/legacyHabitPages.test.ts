import {
  decodeLegacyPageToken,
  encodeLegacyPageToken,
  isLegacyPageToken,
  legacyHabitPage,
} from '../../../functions/src/data/legacyHabitPages';
import { encodePageToken } from '../../../functions/src/data/firestore/pageToken';
import { InvalidInputError } from '../../../functions/src/domain/errors';
import type { Habit } from '../../../functions/src/domain/habit';

const habit = (id: string, day: number, archived = false): Habit => {
  const at = new Date(Date.UTC(2025, 0, day)).toISOString();
  return {
    id,
    name: id,
    schedule: { type: 'daily' },
    targetPerDay: 1,
    archived,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
};

describe('legacy habits-list page tokens', () => {
  it('round-trip a position, and are told apart from Firestore tokens', () => {
    const position = { cursor: 'ck+/=', after: { createdAt: '2025-01-01T00:00:00.000Z', id: 'a' } };
    const token = encodeLegacyPageToken(position);
    expect(isLegacyPageToken(token)).toBe(true);
    expect(decodeLegacyPageToken(token)).toEqual(position);
    expect(decodeLegacyPageToken(encodeLegacyPageToken({ cursor: null, after: null }))).toEqual({
      cursor: null,
      after: null,
    });
    expect(isLegacyPageToken(encodePageToken({ createdAt: 'x', id: 'y' }))).toBe(false);
    expect(isLegacyPageToken(undefined)).toBe(false);
  });

  it('refuse a token that is not one of theirs as invalid input on pageToken', () => {
    for (const bad of [
      'legacy.',
      'legacy.!!!',
      `legacy.${Buffer.from('[1,2]').toString('base64url')}`,
    ]) {
      expect(() => decodeLegacyPageToken(bad)).toThrow(InvalidInputError);
    }
  });
});

describe('legacyHabitPage', () => {
  const start = { cursor: null, after: null };
  const all = { limit: 50, includeArchived: true };

  it('lists one window by creation and points to the next window when the feed goes on', () => {
    const window = { habits: [habit('c', 3), habit('a', 1), habit('b', 2)], next: 'after-window' };
    const page = legacyHabitPage(window, start, all);
    expect(page.habits.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(decodeLegacyPageToken(page.nextPageToken!)).toEqual({
      cursor: 'after-window',
      after: null,
    });
  });

  it('pages within a window by keyset, so a habit deleted between pages shifts nothing', () => {
    const habits = [habit('a', 1), habit('b', 2), habit('c', 3), habit('d', 4)];
    const first = legacyHabitPage({ habits, next: null }, start, { limit: 2 });
    expect(first.habits.map((h) => h.id)).toEqual(['a', 'b']);
    const position = decodeLegacyPageToken(first.nextPageToken!);
    expect(position.cursor).toBeNull();

    const afterDeletingA = habits.filter((h) => h.id !== 'a');
    const second = legacyHabitPage({ habits: afterDeletingA, next: null }, position, { limit: 2 });
    expect(second.habits.map((h) => h.id)).toEqual(['c', 'd']);
    expect(second.nextPageToken).toBeUndefined();
  });

  it('leaves archived habits out unless asked, and may answer an empty page that goes on', () => {
    const window = { habits: [habit('a', 1, true)], next: 'more' };
    const page = legacyHabitPage(window, start, { limit: 10 });
    expect(page.habits).toEqual([]);
    expect(page.nextPageToken).toBeDefined();
    expect(legacyHabitPage({ ...window, next: null }, start, { limit: 10 })).toEqual({
      habits: [],
    });
  });
});
