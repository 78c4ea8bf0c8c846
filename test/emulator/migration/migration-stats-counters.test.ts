import { randomUUID } from 'node:crypto';
import { deleteApp, getApps } from 'firebase-admin/app';
import type { Firestore } from 'firebase-admin/firestore';
import { LegacyStoreError } from '../../../functions/src/data/legacy/legacyErrors';
import type {
  InvalidLegacyRecord,
  LegacyRecord,
} from '../../../functions/src/data/legacy/legacyRecords';
import type { LegacyStore } from '../../../functions/src/data/legacy/legacyStore';
import { catchUpFailed } from '../../../functions/src/domain/catchUp';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import type { StatsCounters } from '../../../functions/src/domain/migrationStats';
import { flagDefaults } from '../../../functions/src/flags/flagDefaults';
import { config } from '../../../functions/src/config';
import { BackfillJob } from '../../../functions/src/migration/backfillJob';
import { BackfillRequests } from '../../../functions/src/migration/backfillRequests';
import type { BackfillTasks } from '../../../functions/src/migration/backfillTasks';
import { MigrationStateStore } from '../../../functions/src/migration/migrationStateStore';
import { migrationStats } from '../../../functions/src/migration/migrationStats';
import {
  readStatsCounters,
  rebuildStatsCounters,
  recountStats,
  seedStatsCounters,
  statsShards,
} from '../../../functions/src/migration/migrationStatsCounters';
import { isolatedFirestore } from '../support/admin';
import { legacyHabitEntry } from '../support/legacyEntries';

/**
 * The migration statistics' counters against the states they count, over the real Firestore
 * emulator in a project of their own (so that only this file's users are there): real runs, many
 * users at once, every task delivered twice, and the counters must equal a full recount. A new
 * project per run: the counters and the recount then cover exactly this run's users.
 */
const PROJECT = `demo-stats-${randomUUID().slice(0, 8)}`;

const db = (): Firestore => isolatedFirestore(PROJECT);

const CREATED = Date.parse('2025-01-01T08:00:00.000Z');

const habit = (id: string): LegacyRecord => legacyHabitEntry(id, CREATED);

const unreadable = (id: string): InvalidLegacyRecord => ({
  kind: 'invalid',
  recordName: `CD_Habit_${id}`,
  recordType: 'CD_Habit',
  reason: 'no CD_name',
});

type Kind = 'plain' | 'quarantine' | 'unlinked' | 'refused' | 'rerun' | 'dry' | 'dropped';

/** Each user's records, read a few per page so that a run takes several batches. */
function memoryLegacy(records: Map<string, Array<LegacyRecord | InvalidLegacyRecord>>) {
  const kinds = new Map<string, Kind>();
  const store: LegacyStore = {
    async readChanges(uid, cursor, limit) {
      if (kinds.get(uid) === 'unlinked') return { kind: 'awaiting_link', uid };
      if (kinds.get(uid) === 'refused') throw new LegacyStoreError('refused', 'bad_request', false);
      const all = records.get(uid) ?? [];
      const from = cursor ? Number(cursor) : 0;
      const entries = all.slice(from, from + limit);
      const next = from + entries.length;
      return { kind: 'page', entries, cursor: String(next), moreComing: next < all.length };
    },
    listUsers: () => Promise.reject(new Error('not used')),
    lookup: () => Promise.reject(new Error('not used')),
    write: () => Promise.reject(new Error('not used')),
  };
  return { store, kinds };
}

const noTasks: BackfillTasks = { enqueueBatch: async () => {}, enqueueFanOut: async () => {} };
const noTelemetry = { record: async () => {} };
const SETTLED = ['completed', 'completed_with_errors', 'failed', 'awaiting_link'];

function world() {
  const firestore = db();
  const states = new MigrationStateStore(firestore);
  const records = new Map<string, Array<LegacyRecord | InvalidLegacyRecord>>();
  const legacy = memoryLegacy(records);
  const job = new BackfillJob({
    db: firestore,
    states,
    legacy: legacy.store,
    tasks: noTasks,
    telemetry: noTelemetry,
    flags: async () => ({ ...flagDefaults, backfillBatchSize: 2 }),
    finishStreaks: async () => 0,
    leaseMs: 120_000,
  });
  const requests = new BackfillRequests(states, noTasks, noTelemetry);

  /** Asked for twice at once, as two messages naming the same user would. */
  async function request(uid: string, force = false, dryRun = false) {
    await Promise.all([
      requests.request(uid, { force, dryRun }),
      requests.request(uid, { force, dryRun }),
    ]);
  }

  /** Runs batch tasks until the run settles, each delivered twice at once to two instances. */
  async function drive(uid: string, dryRun = false): Promise<MigrationState> {
    for (let step = 0; step < 40; step += 1) {
      const state = await states.get(uid, dryRun);
      if (SETTLED.includes(state.status)) return state;
      const task = { uid, dryRun, runId: state.runId ?? '', batch: state.batches ?? 0 };
      await Promise.all(
        ['a', 'b'].map((who) =>
          job.run(task, { owner: `${who}-${step}`, finalAttempt: true }).catch(() => undefined),
        ),
      );
    }
    throw new Error(`the run of ${uid} did not settle`);
  }

  return { firestore, states, records, kinds: legacy.kinds, request, drive };
}

const nonZero = (counters: StatsCounters) =>
  Object.fromEntries(Object.entries(counters).filter(([, n]) => n !== 0));

afterAll(() =>
  Promise.all(
    getApps()
      .filter((app) => app.name === PROJECT || app.name === `${PROJECT}-seed`)
      .map((app) => deleteApp(app)),
  ),
);

describe('migration statistics counters', () => {
  const w = world();
  const prefix = `stats-${randomUUID().slice(0, 8)}`;
  const plan: Kind[] = [
    ...Array<Kind>(6).fill('plain'),
    ...Array<Kind>(3).fill('quarantine'),
    ...Array<Kind>(3).fill('unlinked'),
    ...Array<Kind>(2).fill('refused'),
    ...Array<Kind>(3).fill('rerun'),
    ...Array<Kind>(2).fill('dry'),
    'dropped',
  ];
  const users = plan.map((kind, i) => ({ uid: `${prefix}-${kind}-${i}`, kind }));

  beforeAll(async () => {
    for (const { uid, kind } of users) {
      w.kinds.set(uid, kind);
      const own = [1, 2, 3, 4, 5].map((n) => habit(`${uid}-h${n}`));
      w.records.set(uid, kind === 'quarantine' ? [...own, unreadable(`${uid}-bad`)] : own);
    }
  });

  it('equal a full recount after 20 users run at once, every request and task delivered twice', async () => {
    await Promise.all(
      users.map(async ({ uid, kind }) => {
        const dryRun = kind === 'dry';
        await w.request(uid, false, dryRun);
        await w.drive(uid, dryRun);
        if (kind === 'rerun') {
          // An operator's forced re-run of a completed user: counted once more, not twice.
          await w.request(uid, true);
          await w.drive(uid);
        }
        if (kind === 'dropped') {
          // The user's sync token is refused for good: off the catch-up schedule.
          await Promise.all(
            [0, 1].map(() =>
              w.states.update(uid, false, (s) => ({
                write: catchUpFailed(
                  s,
                  { code: 'token_expired', message: 'gone', permanent: true },
                  new Date(),
                ),
                result: undefined,
              })),
            ),
          );
        }
      }),
    );

    const recount = await recountStats(w.firestore);
    expect(recount.states).toBe(users.filter((u) => u.kind !== 'dry').length);
    expect(nonZero(await readStatsCounters(w.firestore))).toEqual(nonZero(recount.totals));

    const stats = await migrationStats(w.firestore, new Date('2999-01-01T00:00:00Z'));
    expect(stats.usersByStatus).toEqual({
      completed: 6 + 3 + 1,
      completed_with_errors: 3,
      awaiting_link: 3,
      failed: 2,
    });
    expect(stats.records).toMatchObject({ habits: 13 * 5, quarantined: 3 });
    expect(stats.migrationTimeMs.completedRuns).toBe(13);
    expect(stats.migrationTimeMs.p95).not.toBeNull();
    expect(stats.catchUp).toMatchObject({ following: 12, awaitingLink: 1 });
    // Every followed user was caught up before 2999: all are overdue, counted exactly.
    expect(stats.catchUp).toMatchObject({ overdue: 12, overdueAtLeast: false });
    // What a read costs: the shards, however many users there are.
    expect((await statsShards(w.firestore).get()).size).toBeLessThanOrEqual(
      config.migrationStatsShards,
    );
  }, 180_000);

  it('a rebuild takes in a state written around the counters', async () => {
    const uid = `${prefix}-by-hand`;
    await w.firestore
      .doc(`users/${uid}/meta/migration`)
      .set({ status: 'completed', dryRun: false, durationMs: 1_000, counts: { habits: 7 } });
    const before = nonZero(await readStatsCounters(w.firestore));
    expect(nonZero((await recountStats(w.firestore)).totals)).not.toEqual(before);

    const rebuilt = await rebuildStatsCounters(w.firestore, 3);
    expect(nonZero(await readStatsCounters(w.firestore))).toEqual(nonZero(rebuilt.totals));
    expect(nonZero(rebuilt.totals)['users.completed']).toBe((before['users.completed'] ?? 0) + 1);
  });

  it('seeded counters read as that many completed runs, in the same number of reads', async () => {
    const other = isolatedFirestore(`${PROJECT}-seed`);
    for (const runs of [1_000, 1_000_000]) {
      await seedStatsCounters(other, runs);
      const stats = await migrationStats(other, new Date());
      expect(stats.usersByStatus).toEqual({ completed: runs });
      expect(stats.migrationTimeMs.completedRuns).toBe(runs);
      expect((await statsShards(other).get()).size).toBe(config.migrationStatsShards);
    }
  });
});
