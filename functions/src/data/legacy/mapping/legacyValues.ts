import type { z } from 'zod';

/**
 * Core Data leaves an optional attribute it once held as an empty string; the API has no such
 * state (an absent field is the only "none"), so both read as absent.
 */
export function presentText(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Drops keys whose value is undefined, so mapped objects compare equal to stored ones. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Undefined for a number no Date can hold, rather than the RangeError of `toISOString`. */
export function msToIso(ms: number): string | undefined {
  if (!Number.isSafeInteger(ms) || ms < 0) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Throws because the entities handed to the reverse mappers passed their schema: an unparsable
 * timestamp there is a bug upstream, and writing NaN to the legacy store would hide it.
 */
export function isoToMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`'${iso}' is not an ISO date-time`);
  return ms;
}

/**
 * `"1,3,5"` into `[1, 3, 5]`, in the stored order (the API keeps its order too, so a round trip
 * gives the same array). Undefined when the text is not a list of whole numbers; the range and
 * uniqueness of the days are left to the habit schema, which names the offending entry.
 */
export function parseWeekdays(text: string): number[] | undefined {
  const tokens = text.split(',').map((token) => token.trim());
  if (!tokens.every((token) => /^\d+$/.test(token))) return undefined;
  return tokens.map(Number);
}

export function formatWeekdays(days: readonly number[]): string {
  return days.join(',');
}

/** `path: message; ...`, one entry per issue, for a failure reason a person can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `${[...issue.path, key].map(String).join('.')}: unknown field`)
        : [`${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`],
    )
    .join('; ');
}
