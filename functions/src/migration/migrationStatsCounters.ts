import { FieldPath, FieldValue, type Firestore, type Transaction } from 'firebase-admin/firestore';
import { addCounters, statsContribution, type StatsCounters } from '../domain/migrationStats';
import { type MigrationState, migrationStateSchema } from '../domain/migrationState';
import { config } from '../config';

/**
 * ops/migrationStats/shards/{n}: the migration statistics' counters (domain/migrationStats), each
 * state change adding its delta to one random shard, so no document takes more than a fraction of
 * the state writes; reading sums the shards.
 */
export function statsShards(db: Firestore) {
  return db.collection('ops').doc('migrationStats').collection('shards');
}

/** Writes a state transaction adds for the statistics: at most one shard. */
export const STATS_WRITES_PER_STATE_WRITE = 1;

const randomShard = () => Math.floor(Math.random() * config.migrationStatsShards);

/** `users.completed` -> { users: { completed } }: set() with merge takes a dotted key literally. */
function nested(counters: StatsCounters, value: (n: number) => unknown) {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, n] of Object.entries(counters)) {
    const dot = key.indexOf('.');
    const group = key.slice(0, dot);
    (out[group] ??= {})[key.slice(dot + 1)] = value(n);
  }
  return out;
}

/**
 * Adds `delta` inside `tx`, after its reads: the counters move in the commit that changes the
 * state, so a transaction retried or a duplicate task that commits nothing moves them not at all.
 * A blind increment: the shard is never read, so concurrent transactions do not contend on it.
 */
export function addStatsDelta(
  tx: Transaction,
  db: Firestore,
  delta: StatsCounters,
  shard: number = randomShard(),
): number {
  if (Object.keys(delta).length === 0) return 0;
  tx.set(statsShards(db).doc(String(shard)), nested(delta, FieldValue.increment), {
    merge: true,
  });
  return STATS_WRITES_PER_STATE_WRITE;
}

/** The counters summed over the shards: one query, at most `migrationStatsShards` documents. */
export async function readStatsCounters(db: Firestore): Promise<StatsCounters> {
  const snap = await statsShards(db).get();
  let totals: StatsCounters = {};
  for (const doc of snap.docs) totals = addCounters(totals, flatten(doc.data()));
  return totals;
}

function flatten(data: Record<string, unknown>): StatsCounters {
  const out: StatsCounters = {};
  for (const [group, fields] of Object.entries(data)) {
    if (typeof fields !== 'object' || fields === null) continue;
    for (const [key, n] of Object.entries(fields)) {
      if (typeof n === 'number') out[`${group}.${key}`] = n;
    }
  }
  return out;
}

/**
 * The counters recomputed from every real run's state, paged by document path (never an offset):
 * what the shards must sum to. Reads every state, so an operator's one-off, never a request's.
 */
export async function recountStats(
  db: Firestore,
  pageSize = config.migrationStatsRebuildPageSize,
): Promise<{ totals: StatsCounters; states: number }> {
  const query = db
    .collectionGroup('meta')
    .where('dryRun', '==', false)
    .orderBy(FieldPath.documentId())
    .limit(pageSize);
  let totals: StatsCounters = {};
  let states = 0;
  let page = await query.get();
  while (!page.empty) {
    for (const doc of page.docs) {
      const parsed = migrationStateSchema.safeParse(doc.data());
      if (!parsed.success) continue;
      totals = addCounters(totals, statsContribution(parsed.data as MigrationState));
      states += 1;
    }
    if (page.size < pageSize) break;
    page = await query.startAfter(page.docs[page.docs.length - 1]).get();
  }
  return { totals, states };
}

/**
 * Replaces the shards with `totals` in one commit (the recount in shard 0, the others removed).
 * State changes committed between the recount and this write are lost from the counters: run it
 * while no backfill or catch-up is running, or run it again.
 */
export async function writeStatsCounters(db: Firestore, totals: StatsCounters): Promise<void> {
  const existing = await statsShards(db).listDocuments();
  const batch = db.batch();
  // Shard 0 is replaced by the set below: one write per document in the batch.
  for (const ref of existing) if (ref.id !== '0') batch.delete(ref);
  batch.set(
    statsShards(db).doc('0'),
    nested(Object.fromEntries(Object.entries(totals).filter(([, n]) => n !== 0)), (n) => n),
  );
  await batch.commit();
}

export async function rebuildStatsCounters(db: Firestore, pageSize?: number) {
  const recount = await recountStats(db, pageSize);
  await writeStatsCounters(db, recount.totals);
  return recount;
}

/**
 * For benchmarks: the shards as if `runs` users had completed with `recordsPerRun` records each
 * and durations spread over minutes to hours, without writing any state. Every shard exists, as
 * in a busy project, so a read of the statistics costs its most.
 */
export async function seedStatsCounters(
  db: Firestore,
  runs: number,
  recordsPerRun = 2_000,
): Promise<void> {
  let totals: StatsCounters = {};
  // Durations cycle over a fixed set: the counters' size does not depend on `runs`.
  const kinds = 97;
  for (let k = 0; k < kinds; k += 1) {
    const share = Math.floor(runs / kinds) + (k < runs % kinds ? 1 : 0);
    if (share === 0) continue;
    const state: MigrationState = {
      status: 'completed',
      dryRun: false,
      counts: { completions: recordsPerRun },
      durationMs: 60_000 + k * 97_000,
      catchUp: { following: true, changes: 0, echoes: 0 },
    };
    const one = statsContribution(state);
    totals = addCounters(
      totals,
      Object.fromEntries(Object.entries(one).map(([key, n]) => [key, n * share])),
    );
  }
  await writeStatsCounters(db, totals);
  const batch = db.batch();
  for (let n = 1; n < config.migrationStatsShards; n += 1) {
    batch.set(statsShards(db).doc(String(n)), { users: { completed: 0 } });
  }
  await batch.commit();
}
