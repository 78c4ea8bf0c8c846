#!/usr/bin/env node
// Documents read and written per call, counted by instrumenting the Firestore client this process
// uses (every get, query, aggregation, getAll, and every set/update/delete/create in a batch or
// transaction), for users with 1, 3 and 10 years of daily history, and for the migration statistics
// at 1k, 100k and 1M runs. A row that grows with history fails the run. Needs the Firestore
// emulator: `npm run bench` starts one (project demo-bench, apart from the emulated functions).
import { createRequire } from 'node:module';
import {
  completionEntity,
  habitEntity,
  lib,
  quietConsole,
  requireFirestoreEmulator,
  xpEntity,
} from './support.mjs';

const log = quietConsole();
const require = createRequire(import.meta.url);
const { initializeApp } = require('firebase-admin/app');
const firestore = require('firebase-admin/firestore');
const { FirestoreHabitRepository } = lib('data/firestore/firestoreHabitRepository');
const { FirestoreSnapshotReader } = lib('data/snapshots/firestoreSnapshotReader');
const { recordInOutbox } = lib('data/outbox/outboxRecorder');
const { MigrationStateStore } = lib('migration/migrationStateStore');
const { migrationStats } = lib('migration/migrationStats');
const { seedStatsCounters } = lib('migration/migrationStatsCounters');
const { BackfillJob } = lib('migration/backfillJob');
const { BackfillRequests } = lib('migration/backfillRequests');
const { flagDefaults } = lib('flags/flagDefaults');
const { config } = lib('config');
const { legacyUpsert } = lib('data/legacy/mapping/firestoreToLegacyMapper');

requireFirestoreEmulator('npm run bench');

// DocumentReference.get reads through Firestore.getAll: counted there, once.
const { Firestore, Transaction, WriteBatch, Query } = firestore;
const db = firestore.getFirestore(initializeApp({ projectId: 'demo-bench' }, 'bench-cost'));
// Not exported as a value: reached through an instance.
const AggregateQuery = db.collection('x').count().constructor;

// ---- counting: what Firestore bills, observed on the client ----
const tally = { reads: 0, aggregations: 0, writes: 0, on: false };
const read = (n) => tally.on && (tally.reads += n);
/** An aggregation bills one read per 1,000 index entries it matched (at least one). */
const uncountedAggregateGet = AggregateQuery.prototype.get;
async function aggregationReads(aggregate) {
  const snap = await uncountedAggregateGet.call(aggregate.query.count());
  return Math.max(1, Math.ceil(snap.data().count / 1_000));
}
async function counted(result, target) {
  if (target instanceof AggregateQuery) {
    if (tally.on) tally.aggregations += await aggregationReads(target);
  } else if (result && typeof result.size === 'number') read(Math.max(1, result.size));
  else read(1);
  return result;
}
const wrap = (proto, name, after) => {
  const original = proto[name];
  proto[name] = function (...args) {
    return after.call(this, original.apply(this, args), args);
  };
};
wrap(Query.prototype, 'get', async function (p) {
  return counted(await p, this);
});
wrap(AggregateQuery.prototype, 'get', async function (p) {
  return counted(await p, this);
});
wrap(Transaction.prototype, 'get', async function (p, [target]) {
  return counted(await p, target);
});
wrap(Transaction.prototype, 'getAll', async function (p) {
  const snaps = await p;
  read(snaps.length);
  return snaps;
});
wrap(Firestore.prototype, 'getAll', async function (p) {
  const snaps = await p;
  read(snaps.length);
  return snaps;
});
// A transaction's writes go through its own WriteBatch: counting the batch counts each once.
for (const name of ['set', 'update', 'delete', 'create']) {
  wrap(WriteBatch.prototype, name, function (result) {
    if (tally.on) tally.writes += 1;
    return result;
  });
}

async function cost(run) {
  Object.assign(tally, { reads: 0, aggregations: 0, writes: 0, on: true });
  try {
    await run();
  } finally {
    tally.on = false;
  }
  return { reads: tally.reads, aggregations: tally.aggregations, writes: tally.writes };
}

// ---- data: a user with one daily habit logged every day for `years` ----
const DAY = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const dayBefore = (n) => new Date(Date.parse(today) - n * DAY).toISOString().slice(0, 10);

async function seedUser(uid, days, repository) {
  const habit = await repository.createHabit(uid, {
    name: 'Walk',
    schedule: { type: 'daily' },
    targetPerDay: 1,
    archived: false,
  });
  const user = db.collection('users').doc(uid);
  for (let start = 1; start <= days; start += 200) {
    const batch = db.batch();
    for (let n = start; n < Math.min(start + 200, days + 1); n += 1) {
      const completion = completionEntity(habit.id, dayBefore(n));
      batch.set(user.collection('completions').doc(completion.id), completion);
      batch.set(user.collection('xpEvents').doc(), {
        habitId: habit.id,
        completionId: completion.id,
        delta: 10,
        reason: 'completion-logged',
        createdAt: completion.createdAt,
      });
    }
    await batch.commit();
  }
  await user
    .collection('meta')
    .doc('progress')
    .set({ totalXp: days * 10, ledgerXp: days * 10 });
  await repository.recountStreak(uid, habit.id);
  return habit.id;
}

const HISTORIES = [
  ['1 year', 365],
  ['3 years', 1_095],
  ['10 years', 3_650],
];
const repository = new FirestoreHabitRepository(db, undefined, recordInOutbox);
const states = new MigrationStateStore(db);
const snapshots = new FirestoreSnapshotReader(db);

const rows = new Map();
const put = (call, history, { reads, aggregations, writes }) => {
  const row = rows.get(call) ?? { call };
  row[history] = `${reads} r / ${writes} w`;
  // Billed per 1,000 index entries an aggregation matched: one number comes back, whatever the
  // count, but the bill grows by one read per thousand. Shown apart, not part of the flat check.
  if (aggregations > 0) row[`${history} agg`] = aggregations;
  rows.set(call, row);
};

for (const [label, days] of HISTORIES) {
  const uid = `bench-cost-${days}-${Date.now()}`;
  const habitId = await seedUser(uid, days, repository);
  // Each call as its callable makes it: the user's migration state first (RepositoryFacade).
  const call = (work) =>
    cost(async () => {
      await states.get(uid);
      await work();
    });
  put(
    'completions-log (today)',
    label,
    await call(() => repository.logCompletion(uid, { habitId, date: today, count: 1 })),
  );
  put(
    'completions-log (back-dated)',
    label,
    await call(() =>
      repository.logCompletion(uid, { habitId, date: dayBefore(Math.floor(days / 2)), count: 2 }),
    ),
  );
  put(
    'completions-delete (mid-history)',
    label,
    await call(() =>
      repository.deleteCompletion(uid, { habitId, date: dayBefore(Math.floor(days / 3)) }),
    ),
  );
  put('progress-get', label, await call(() => repository.getProgress(uid)));
  put('snapshot-get (cache miss)', label, await cost(() => snapshots.read(uid)));
  put('habits-delete', label, await call(() => repository.deleteHabit(uid, habitId)));
  put(
    'purge page (background)',
    label,
    await cost(() => repository.purgeCompletions(uid, habitId, 200)),
  );
}

const RUNS = [
  ['1 year', 1_000, '1k runs'],
  ['3 years', 100_000, '100k runs'],
  ['10 years', 1_000_000, '1M runs'],
];
for (const [label, runs] of RUNS) {
  await seedStatsCounters(db, runs);
  put('admin-migrationStats', label, await cost(() => migrationStats(db, new Date())));
}

// ---- a backfill: per-record costs, the figures docs/capacity.md multiplies out ----
const HABITS = 5;
const DAYS_PER_HABIT = 200;
const created = Date.parse('2025-01-01T08:00:00.000Z');
/** As the old app's records arrive from CloudKit: mapped by the mapper that delivers our writes. */
const legacy = (kind, entity) => {
  const { kind: k, recordName, recordChangeTag, fields } = legacyUpsert(kind, entity, 't1');
  return { kind: k, recordName, recordChangeTag, fields };
};
function legacyRecords() {
  const records = [];
  for (let h = 0; h < HABITS; h += 1) {
    const habitId = `bench-habit-${h}`;
    records.push(legacy('habit', habitEntity(habitId)));
    for (let d = 0; d < DAYS_PER_HABIT; d += 1) {
      const date = new Date(created + d * DAY).toISOString().slice(0, 10);
      const completion = completionEntity(habitId, date);
      records.push(legacy('completion', completion));
      records.push(legacy('xpEvent', xpEntity(completion.id, completion.completedAt)));
    }
  }
  return records;
}

const records = legacyRecords();
let cloudKitCalls = 0;
const legacyStore = {
  async readChanges(_uid, cursor, limit) {
    cloudKitCalls += 1;
    const from = cursor ? Number(cursor) : 0;
    const entries = records.slice(from, from + limit);
    const next = from + entries.length;
    return { kind: 'page', entries, cursor: String(next), moreComing: next < records.length };
  },
  listUsers: () => Promise.reject(new Error('not used')),
  lookup: () => Promise.reject(new Error('not used')),
  write: () => Promise.reject(new Error('not used')),
};
const telemetry = { record: () => undefined, flush: async () => undefined };
const noTasks = { enqueueBatch: async () => undefined, enqueueFanOut: async () => undefined };
const job = new BackfillJob({
  db,
  states,
  legacy: legacyStore,
  tasks: noTasks,
  telemetry,
  flags: async () => flagDefaults,
  finishStreaks: (uid, maintainedBy) => repository.finishStreaks(uid, maintainedBy),
  leaseMs: 120_000,
  // As deployed: a task takes pages until its budget runs out.
  taskBudgetMs: config.backfillTaskBudgetMs,
});
const backfillUser = `bench-backfill-${Date.now()}`;
const whole = { reads: 0, aggregations: 0, writes: 0 };
let tasks = 0;
const started = Date.now();
whole.request = await cost(() =>
  new BackfillRequests(states, noTasks, telemetry).request(backfillUser, {
    force: false,
    dryRun: false,
  }),
);
for (let step = 0; step < 100; step += 1) {
  const state = await states.get(backfillUser);
  if (['completed', 'completed_with_errors', 'failed'].includes(state.status)) break;
  const task = { uid: backfillUser, dryRun: false, runId: state.runId, batch: state.batches ?? 0 };
  tasks += 1;
  const spent = await cost(() => job.run(task, { owner: 'bench', finalAttempt: false }));
  for (const key of ['reads', 'aggregations', 'writes']) whole[key] += spent[key];
}
const elapsedMs = Date.now() - started;
const perRecord = (n) => (n / records.length).toFixed(2);
const backfillRows = [
  {
    records: records.length,
    'batch size': flagDefaults.backfillBatchSize,
    'task invocations': tasks,
    'CloudKit calls': cloudKitCalls,
    reads: whole.reads + whole.request.reads,
    writes: whole.writes + whole.request.writes,
    'reads/record': perRecord(whole.reads + whole.request.reads),
    'writes/record': perRecord(whole.writes + whole.request.writes),
    'wall s (emulator)': (elapsedMs / 1000).toFixed(1),
    'ms/task': Math.round(elapsedMs / tasks),
  },
];

const table = [...rows.values()];
log('\nDocuments read (r) and written (w) per call; stats rows at 1k / 100k / 1M runs');
log('(+N: aggregation reads, billed one per 1,000 index entries matched)');
process.stdout.write(`${formatTable(table)}\n`);

log('\nOne backfill, counted the same way (the figures docs/capacity.md multiplies out)');
const keys = Object.keys(backfillRows[0]);
log(`| ${keys.join(' | ')} |\n| ${keys.map(() => '---').join(' | ')} |`);
log(`| ${keys.map((k) => backfillRows[0][k]).join(' | ')} |`);

const flat = table.filter((row) => new Set(HISTORIES.map(([h]) => row[h])).size !== 1);
if (flat.length > 0) {
  process.stderr.write(`not flat: ${flat.map((r) => r.call).join(', ')}\n`);
  process.exit(1);
}
process.exit(0);

function formatTable(data) {
  const columns = ['call', ...HISTORIES.map(([h]) => h)];
  const cell = (r, c) => (r[`${c} agg`] ? `${r[c]} (+${r[`${c} agg`]})` : r[c]);
  const rowsOut = data.map((r) => columns.map((c) => cell(r, c)));
  const width = columns.map((c, i) =>
    Math.max(c.length, ...rowsOut.map((r) => String(r[i]).length)),
  );
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(width[i])).join(' | ')} |`;
  return [line(columns), line(width.map((w) => '-'.repeat(w))), ...rowsOut.map(line)].join('\n');
}
