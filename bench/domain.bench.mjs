#!/usr/bin/env node
// Pure-logic benchmarks: the streak work of a completions-log (an update of the stored runs, and the
// streak as of today from them), beside a full recount (a schedule change, the backfill's last step).
// Run with `npm run bench` (after `npm run build`); prints one table.
import { createRequire } from 'node:module';
import { measure } from './measure.mjs';

const require = createRequire(import.meta.url);
const { computeStreak } = require('../functions/lib/domain/streak.js');
const {
  summarize,
  withDayChanged,
  streakFromSummary,
} = require('../functions/lib/domain/streakRuns.js');
const { progressFromXp } = require('../functions/lib/domain/progress.js');
const { addDays } = require('../functions/lib/domain/localDay.js');

const today = '2026-11-25';
function dailyHistory(days) {
  return Array.from({ length: days }, (_, i) => ({ date: addDays(today, -i), count: 1 }));
}

const rows = [];
for (const days of [30, 365, 3 * 365, 10 * 365]) {
  const completions = dailyHistory(days);
  const input = { habitId: 'h', schedule: { type: 'daily' }, targetPerDay: 1, completions, today };
  rows.push(
    measure(`computeStreak daily, ${days} days`, days > 1000 ? 200 : 2000, () =>
      computeStreak(input),
    ),
  );
}
// Alternate days: the most runs a history of this length can hold (the runs' worst case).
for (const days of [365, 10 * 365]) {
  const daily = { type: 'daily' };
  const everyOther = dailyHistory(days).filter((_, i) => i % 2 === 0);
  const summary = summarize(daily, 1, everyOther);
  const backDated = addDays(today, -Math.floor(days / 2) - 1);
  rows.push(
    measure(`runs: log a back-dated day, ${days} days alternate`, 2000, () =>
      withDayChanged(summary, daily, 1, backDated, { dayCount: 1 }),
    ),
    measure(`runs: streak as of today, ${days} days alternate`, 2000, () =>
      streakFromSummary('h', daily, summary, today),
    ),
    measure(`runs: full recount, ${days} days alternate`, days > 1000 ? 200 : 2000, () =>
      summarize(daily, 1, everyOther),
    ),
  );
}
const weekly = dailyHistory(3 * 365);
rows.push(
  measure('computeStreak weekly [1,3,5], 3 years', 200, () =>
    computeStreak({
      habitId: 'h',
      schedule: { type: 'weekly', days: [1, 3, 5] },
      targetPerDay: 1,
      completions: weekly,
      today,
    }),
  ),
  measure('computeStreak timesPerWeek 3, 3 years', 200, () =>
    computeStreak({
      habitId: 'h',
      schedule: { type: 'timesPerWeek', count: 3 },
      targetPerDay: 1,
      completions: weekly,
      today,
    }),
  ),
  measure('progressFromXp (random totals)', 200_000, () =>
    progressFromXp(Math.floor(Math.random() * 1e9)),
  ),
);
console.table(rows);
