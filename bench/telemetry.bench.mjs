#!/usr/bin/env node
// Telemetry counters under load: several instances (separate aggregators) record 1,000 events a
// second between them for a few seconds, flushing to the hour's shards in Firestore as the
// functions do, then the counters are read back. One table row per case: events recorded and
// their rate, flush writes and their rate, write errors, and whether the counters add up exactly.
// Needs the Firestore emulator: FIRESTORE_EMULATOR_HOST=127.0.0.1:PORT node bench/telemetry.bench.mjs
import { Console } from 'node:console';
import { createRequire } from 'node:module';

// The functions log a JSON line per event: the table is this script's only output.
const out = new Console(process.stdout);
for (const level of ['log', 'info', 'debug', 'warn', 'error']) console[level] = () => undefined;

const require = createRequire(import.meta.url);
const lib = (path) => require(`../functions/lib/${path}.js`);
const { initializeApp } = require('firebase-admin/app');
const { getFirestore } = require('firebase-admin/firestore');
const { config } = lib('config');
const { BufferedTelemetry } = lib('telemetry/bufferedTelemetry');
const { firestoreCounterWriter } = lib('telemetry/firestoreTelemetry');
const { telemetryReport } = lib('telemetry/telemetryReport');

if (!process.env.FIRESTORE_EMULATOR_HOST) {
  process.stderr.write(
    'set FIRESTORE_EMULATOR_HOST: this bench writes to the Firestore emulator\n',
  );
  process.exit(2);
}

const db = getFirestore(initializeApp({ projectId: 'demo-bench' }));
const HOUR_MS = 3_600_000;
const outcomes = ['success', 'failure'];

async function run({ instances: count, eventsPerSecond, seconds, flushIntervalMs }) {
  // An hour of its own, so the counters read back are this case's alone.
  const base = Date.parse('2040-01-01T00:00:00Z') + Math.floor(Math.random() * 200_000) * HOUR_MS;
  const started = Date.now();
  const clock = () => new Date(base + (Date.now() - started));
  const firestore = firestoreCounterWriter(db);
  const tally = { writes: 0, errors: 0 };
  const write = async (counts, shard, at) => {
    try {
      await firestore(counts, shard, at);
      tally.writes += 1;
    } catch (error) {
      tally.errors += 1;
      throw error;
    }
  };
  const settings = { ...config.telemetry, flushIntervalMs };
  const instances = Array.from(
    { length: count },
    () => new BufferedTelemetry(write, settings, clock),
  );
  const perTick = eventsPerSecond / 10;
  let recorded = 0;
  for (let tick = 0; tick < seconds * 10; tick += 1) {
    for (let i = 0; i < perTick; i += 1) {
      instances[recorded % count].record('dualWritePrimary', outcomes[recorded % 2], {
        uid: `u${i}`,
        latencyMs: 1,
      });
      recorded += 1;
    }
    const due = started + (tick + 1) * 100;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  await Promise.all(instances.map((telemetry) => telemetry.flush()));
  const elapsed = (Date.now() - started) / 1000;
  const report = await telemetryReport(db, new Date(base), clock());
  const counted = report.dualWrite.primary.success + report.dualWrite.primary.failure;
  return {
    case: `${count} instances, flush every ${flushIntervalMs} ms`,
    'events recorded': recorded,
    'events/s': Math.round(recorded / elapsed),
    'flush writes': tally.writes,
    'writes/s': Math.round(tally.writes / elapsed),
    shards: config.telemetry.shards,
    'write errors': tally.errors,
    'counted exactly': counted === recorded,
  };
}

const rows = [];
for (const instances of [8, 32]) {
  for (const flushIntervalMs of [250, config.telemetry.flushIntervalMs]) {
    rows.push(await run({ instances, eventsPerSecond: 1_000, seconds: 5, flushIntervalMs }));
  }
}
out.table(rows);
process.exit(rows.every((row) => row['counted exactly'] && row['write errors'] === 0) ? 0 : 1);
