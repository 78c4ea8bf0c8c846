import { InvalidInputError } from '../domain/errors';
import type { Habit, HabitListInput } from '../domain/habit';
import type { HabitPage } from './habitRepository';

/**
 * Where a `habits-list` answered from CloudKit goes on: the change-feed window (`cursor`, null for
 * the feed's beginning) and the last habit served from it, by creation (a keyset, so a habit
 * deleted between pages shifts nothing).
 */
export interface LegacyPagePosition {
  cursor: string | null;
  after: { createdAt: string; id: string } | null;
}

// Firestore's tokens are base64url, which has no '.': the prefix alone tells the two apart.
const PREFIX = 'legacy.';

export const isLegacyPageToken = (token: string | undefined): token is string =>
  token?.startsWith(PREFIX) === true;

export function encodeLegacyPageToken(position: LegacyPagePosition): string {
  const after = position.after && [position.after.createdAt, position.after.id];
  return PREFIX + Buffer.from(JSON.stringify([position.cursor, after])).toString('base64url');
}

export function decodeLegacyPageToken(token: string): LegacyPagePosition {
  try {
    const decoded: unknown = JSON.parse(
      Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'),
    );
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [cursor, after] = decoded as unknown[];
      const cursorOk = cursor === null || typeof cursor === 'string';
      if (cursorOk && after === null) return { cursor, after: null };
      if (
        cursorOk &&
        Array.isArray(after) &&
        after.length === 2 &&
        after.every((part) => typeof part === 'string')
      ) {
        return { cursor, after: { createdAt: after[0] as string, id: after[1] as string } };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidInputError(['pageToken'], 'is not a token returned by habits-list');
}

const byCreation = (a: Habit, b: Habit) =>
  a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

/**
 * One page of `habits-list` from one window of the change feed: its habits by creation after the
 * position, then the next window's. Habits come in feed order across windows (creation order
 * within each), since no request may read the whole feed to sort it; a page may be short, even
 * empty, and still have a `nextPageToken`.
 */
export function legacyHabitPage(
  window: { habits: Habit[]; next: string | null },
  position: LegacyPagePosition,
  input: Pick<HabitListInput, 'limit' | 'includeArchived'>,
): HabitPage {
  const after = position.after;
  const rest = window.habits
    .filter((habit) => input.includeArchived || !habit.archived)
    .filter((habit) => after === null || byCreation(habit, { ...habit, ...after }) > 0)
    .sort(byCreation);
  const habits = rest.slice(0, input.limit);
  const last = habits.at(-1);
  if (rest.length > habits.length && last) {
    const at = { createdAt: last.createdAt, id: last.id };
    return { habits, nextPageToken: encodeLegacyPageToken({ cursor: position.cursor, after: at }) };
  }
  if (window.next !== null) {
    return { habits, nextPageToken: encodeLegacyPageToken({ cursor: window.next, after: null }) };
  }
  return { habits };
}
