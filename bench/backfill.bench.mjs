#!/usr/bin/env node
// The backfill worker's CPU and memory per page: mapping legacy records to API entities.
// Run with `npm run bench` (after `npm run build`); prints one table.
import { createRequire } from 'node:module';
import { measure } from './measure.mjs';

const require = createRequire(import.meta.url);
const {
  mapLegacyEntry,
} = require('../functions/lib/data/legacy/mapping/legacyToFirestoreMapper.js');

const HABIT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const day = (n) => new Date(Date.UTC(2020, 0, 1 + n)).toISOString().slice(0, 10);

function completion(n) {
  const date = day(n);
  const at = Date.parse(`${date}T20:00:00Z`);
  return {
    kind: 'completion',
    recordName: `CD_Completion_${HABIT}_${date}`,
    recordChangeTag: 'tag',
    fields: {
      CD_id: `${HABIT}_${date}`,
      CD_habit: `CD_Habit_${HABIT}`,
      CD_date: date,
      CD_count: 1,
      CD_note: 'Felt great',
      CD_completedAt: at,
      CD_createdAt: at,
      CD_updatedAt: at,
      CD_version: 1,
    },
  };
}

const page = (size, offset = 0) => Array.from({ length: size }, (_, i) => completion(offset + i));

/** Peak heap growth while mapping `total` records in pages of `size`, each dropped after use. */
function streamed(total, size) {
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  for (let offset = 0; offset < total; offset += size) {
    const mapped = page(size, offset).map(mapLegacyEntry);
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    if (mapped.length !== size) throw new Error('lost records');
  }
  return {
    case:
      size >= total
        ? `${total} records at once (what paging avoids)`
        : `stream ${total} records in pages of ${size}`,
    iterations: Math.ceil(total / size),
    'mean ms': '-',
    'ops/s': '-',
    'heap delta MB': (peak / 1e6).toFixed(1),
  };
}

const rows = [];
for (const size of [200, 500]) {
  const records = page(size);
  rows.push(measure(`map one page of ${size} completions`, 200, () => records.map(mapLegacyEntry)));
}
rows.push(streamed(20_000, 200), streamed(100_000, 500), streamed(100_000, 100_000));
console.table(rows);
