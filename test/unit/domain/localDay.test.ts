import {
  addDays,
  dayOfWeek,
  daysBetween,
  isLocalDay,
  isValidTimeZone,
  localDayAt,
  localDaySchema,
  weekStart,
} from '../../../functions/src/domain/localDay';

describe('isLocalDay', () => {
  it.each(['2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '2026-02-28', '1970-01-01'])(
    'accepts %s',
    (value) => {
      expect(isLocalDay(value)).toBe(true);
      expect(localDaySchema.safeParse(value).success).toBe(true);
    },
  );

  it.each([
    ['2026-02-30', 'a day February does not have'],
    ['2026-02-29', 'a leap day in a common year'],
    ['1900-02-29', 'a leap day in a century that is not a leap year'],
    ['2026-04-31', 'the 31st of a 30-day month'],
    ['2026-13-01', 'month 13'],
    ['2026-00-10', 'month 0'],
    ['2026-01-00', 'day 0'],
    ['2026-01-32', 'day 32'],
    ['2026-1-01', 'a one-digit month'],
    ['2026-01-1', 'a one-digit day'],
    ['26-01-01', 'a two-digit year'],
    ['+02026-01-01', 'an expanded year'],
    ['2026/01/01', 'slashes'],
    ['20260101', 'no separators'],
    ['2026-01-01T00:00:00Z', 'a timestamp'],
    [' 2026-01-01', 'a leading space'],
    ['2026-01-01\n', 'a trailing newline'],
    ['', 'the empty string'],
    ['yesterday', 'a word'],
  ])('rejects %j (%s)', (value) => {
    expect(isLocalDay(value)).toBe(false);
    expect(localDaySchema.safeParse(value).success).toBe(false);
  });

  it.each([20260101, null, undefined, new Date('2026-01-01')])(
    'the schema rejects the non-string %p',
    (value) => {
      expect(localDaySchema.safeParse(value).success).toBe(false);
    },
  );
});

describe('addDays', () => {
  it.each([
    ['2026-03-15', 0, '2026-03-15'],
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2000-02-28', 1, '2000-02-29'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2024-01-01', 366, '2025-01-01'],
    ['2025-01-01', 365, '2026-01-01'],
    ['2026-04-30', 31, '2026-05-31'],
    // Days on which clocks change somewhere are still exactly one day long here.
    ['2026-03-08', 1, '2026-03-09'],
    ['2026-11-01', 1, '2026-11-02'],
    ['2026-03-29', -1, '2026-03-28'],
    ['2026-01-01', 3650, '2035-12-30'],
    ['2026-01-01', -20_454, '1970-01-01'],
  ])('%s %+i days is %s', (day, days, expected) => {
    expect(addDays(day, days)).toBe(expected);
    expect(daysBetween(day, expected)).toBe(days);
  });
});

describe('daysBetween', () => {
  it.each([
    ['2026-01-01', '2026-01-01', 0],
    ['2026-01-01', '2027-01-01', 365],
    ['2024-01-01', '2025-01-01', 366],
    ['2026-03-01', '2026-04-01', 31],
    ['2026-10-01', '2026-11-30', 60],
    ['2026-03-15', '2026-03-01', -14],
  ])('%s to %s is %i days', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });
});

describe('dayOfWeek', () => {
  it.each([
    ['2026-03-01', 0],
    ['2026-03-02', 1],
    ['2026-03-04', 3],
    ['2026-03-07', 6],
    ['2026-01-01', 4],
    ['2024-02-29', 4],
    ['2000-01-01', 6],
    ['1970-01-01', 4],
  ])('%s is day %i (0 = Sunday)', (day, expected) => {
    expect(dayOfWeek(day)).toBe(expected);
  });
});

describe('weekStart', () => {
  it.each([
    ['2026-03-02', '2026-03-02'],
    ['2026-03-04', '2026-03-02'],
    ['2026-03-07', '2026-03-02'],
    ['2026-03-08', '2026-03-02'],
    ['2026-03-09', '2026-03-09'],
    ['2026-01-01', '2025-12-29'],
    ['2026-01-04', '2025-12-29'],
    ['2024-03-01', '2024-02-26'],
    ['2024-03-03', '2024-02-26'],
    ['2021-01-03', '2020-12-28'],
  ])('the ISO week of %s starts on Monday %s', (day, expected) => {
    expect(weekStart(day)).toBe(expected);
    expect(dayOfWeek(weekStart(day))).toBe(1);
  });
});

describe('localDayAt', () => {
  it.each([
    ['2026-03-15T12:00:00Z', 'UTC', '2026-03-15'],
    ['2026-03-15T23:59:59.999Z', 'UTC', '2026-03-15'],
    ['2026-03-16T00:00:00Z', 'UTC', '2026-03-16'],
    // New York: EST (-5) until 07:00Z on 2026-03-08, then EDT (-4) until 06:00Z on 2026-11-01.
    ['2026-03-08T04:59:00Z', 'America/New_York', '2026-03-07'],
    ['2026-03-08T05:00:00Z', 'America/New_York', '2026-03-08'],
    ['2026-03-08T06:59:00Z', 'America/New_York', '2026-03-08'],
    ['2026-03-08T07:00:00Z', 'America/New_York', '2026-03-08'],
    ['2026-03-09T03:59:00Z', 'America/New_York', '2026-03-08'],
    ['2026-03-09T04:00:00Z', 'America/New_York', '2026-03-09'],
    ['2026-11-01T03:59:00Z', 'America/New_York', '2026-10-31'],
    ['2026-11-01T04:00:00Z', 'America/New_York', '2026-11-01'],
    ['2026-11-01T06:30:00Z', 'America/New_York', '2026-11-01'],
    ['2026-11-02T04:59:00Z', 'America/New_York', '2026-11-01'],
    ['2026-11-02T05:00:00Z', 'America/New_York', '2026-11-02'],
    // Berlin: CEST from 01:00Z on 2026-03-29 to 01:00Z on 2026-10-25.
    ['2026-03-28T22:59:00Z', 'Europe/Berlin', '2026-03-28'],
    ['2026-03-28T23:00:00Z', 'Europe/Berlin', '2026-03-29'],
    ['2026-03-29T21:59:00Z', 'Europe/Berlin', '2026-03-29'],
    ['2026-03-29T22:00:00Z', 'Europe/Berlin', '2026-03-30'],
    ['2026-10-24T21:59:00Z', 'Europe/Berlin', '2026-10-24'],
    ['2026-10-24T22:00:00Z', 'Europe/Berlin', '2026-10-25'],
    ['2026-10-25T22:59:00Z', 'Europe/Berlin', '2026-10-25'],
    ['2026-10-25T23:00:00Z', 'Europe/Berlin', '2026-10-26'],
    // Auckland: NZDT (+13) until 14:00Z on 2026-04-04, NZDT again from 14:00Z on 2026-09-26.
    ['2026-04-04T10:59:00Z', 'Pacific/Auckland', '2026-04-04'],
    ['2026-04-04T11:00:00Z', 'Pacific/Auckland', '2026-04-05'],
    ['2026-04-05T11:59:00Z', 'Pacific/Auckland', '2026-04-05'],
    ['2026-04-05T12:00:00Z', 'Pacific/Auckland', '2026-04-06'],
    ['2026-09-26T11:59:00Z', 'Pacific/Auckland', '2026-09-26'],
    ['2026-09-26T12:00:00Z', 'Pacific/Auckland', '2026-09-27'],
    ['2026-09-27T10:59:00Z', 'Pacific/Auckland', '2026-09-27'],
    ['2026-09-27T11:00:00Z', 'Pacific/Auckland', '2026-09-28'],
    ['2025-12-31T11:00:00Z', 'Pacific/Auckland', '2026-01-01'],
    // Kolkata: +05:30 all year.
    ['2026-03-08T18:29:00Z', 'Asia/Kolkata', '2026-03-08'],
    ['2026-03-08T18:30:00Z', 'Asia/Kolkata', '2026-03-09'],
    ['2025-12-31T18:30:00Z', 'Asia/Kolkata', '2026-01-01'],
    // The extremes: +14 and -11.
    ['2026-03-15T10:00:00Z', 'Pacific/Kiritimati', '2026-03-16'],
    ['2026-03-15T10:00:00Z', 'Pacific/Pago_Pago', '2026-03-14'],
    ['2024-02-29T12:00:00Z', 'Pacific/Kiritimati', '2024-03-01'],
  ])('%s in %s is %s', (instant, timeZone, expected) => {
    const day = localDayAt(new Date(instant), timeZone);
    expect(day).toBe(expected);
    expect(isLocalDay(day)).toBe(true);
  });
});

describe('isValidTimeZone', () => {
  it.each([
    ['UTC', true],
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['Asia/Kolkata', true],
    ['Pacific/Auckland', true],
    ['Etc/GMT+5', true],
    ['', false],
    ['Mars/Olympus', false],
    ['Europe/Nowhere', false],
    ['GMT+25', false],
    ['+05:30', false],
  ])('%j -> %s', (timeZone, expected) => {
    expect(isValidTimeZone(timeZone)).toBe(expected);
  });
});
