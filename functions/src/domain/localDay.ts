import { z } from 'zod';

/**
 * A local day is a `YYYY-MM-DD` string in the user's time zone. Arithmetic is done on the
 * calendar date alone (through UTC midnight), so daylight-saving shifts never skip or repeat a day.
 */
export type LocalDay = string;

const LOCAL_DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

export function isLocalDay(value: string): boolean {
  if (!LOCAL_DAY_PATTERN.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export const localDaySchema = z
  .string()
  .refine(isLocalDay, { message: 'must be a calendar date formatted YYYY-MM-DD' });

function toEpochDay(day: LocalDay): number {
  return Date.parse(`${day}T00:00:00Z`) / MS_PER_DAY;
}

function fromEpochDay(epochDay: number): LocalDay {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(day: LocalDay, days: number): LocalDay {
  return fromEpochDay(toEpochDay(day) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDay, to: LocalDay): number {
  return toEpochDay(to) - toEpochDay(from);
}

/** 0 = Sunday ... 6 = Saturday, as JavaScript's `getUTCDay` and the API's weekly `days`. */
export function dayOfWeek(day: LocalDay): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

/** The Monday that starts the ISO week holding `day`. */
export function weekStart(day: LocalDay): LocalDay {
  return addDays(day, -((dayOfWeek(day) + 6) % 7));
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The local day in `timeZone` at instant `now`. */
export function localDayAt(now: Date, timeZone: string): LocalDay {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
