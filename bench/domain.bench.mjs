#!/usr/bin/env node
// Pure-logic benchmarks: the work every completions-log does inside its transaction.
// Run with `npm run bench` (after `npm run build`); prints one table.
import { createRequire } from 'node:module';
import { measure } from './measure.mjs';

const require = createRequire(import.meta.url);
const { computeStreak } = require('../functions/lib/domain/streak.js');
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
