import { randomUUID } from 'node:crypto';
import { logger } from 'firebase-functions/v2';
import { deleteApp, getApps } from 'firebase-admin/app';
import type { Firestore } from 'firebase-admin/firestore';
import type {
  InvalidLegacyRecord,
  LegacyDeletion,
  LegacyRecord,
} from '../../../functions/src/data/legacy/legacyRecords';
import type { LegacyStore, LegacyUser } from '../../../functions/src/data/legacy/legacyStore';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import type { BatchPointer } from '../../../functions/src/domain/migrationRun';
import { flagDefaults } from '../../../functions/src/flags/flagDefaults';
import { migrationErrorId } from '../../../functions/src/migration/backfillBatchWriter';
import { BackfillFanOut } from '../../../functions/src/migration/backfillFanOut';
import { BackfillJob, type BatchOutcome } from '../../../functions/src/migration/backfillJob';
import { BackfillRequests } from '../../../functions/src/migration/backfillRequests';
import type { BackfillTasks } from '../../../functions/src/migration/backfillTasks';
import { MigrationStateStore } from '../../../functions/src/migration/migrationStateStore';
import type { FanOutTask } from '../../../functions/src/domain/backfillMessages';
import { isolatedFirestore } from '../support/admin';
import { legacyHabitEntry } from '../support/legacyEntries';

/**
 * Legacy data Firestore cannot take as it is (forbidden ids, a document over 1 MiB) and AppUser
 * records naming no usable uid, through the backfill's own classes in this process against the
 * Firestore emulator alone: the legacy store is a stand-in serving those records, and this test
 * plays Cloud Tasks. A project of its own keeps the emulated functions' triggers out of it.
 */
const PROJECT = 'demo-bad-names';

beforeAll(() => {
  // The backend's log lines are not what these tests judge (the counts are): keep them out.
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    jest.spyOn(logger, level).mockImplementation(() => undefined);
  }
});
afterAll(async () => {
  const app = getApps().find((a) => a.name === PROJECT);
  if (app) await deleteApp(app);
});

const db = (): Firestore => isolatedFirestore(PROJECT);

type Entry = LegacyRecord | LegacyDeletion | InvalidLegacyRecord;

/** A legacy store holding one user's records (served `pageSize` at a time) and a user list. */
function legacyStandIn(entries: Entry[], users: LegacyUser[] = []): LegacyStore {
  return {
    async listUsers(pageToken, limit) {
      const from = Number(pageToken ?? 0);
      const next = from + limit;
      return {
        users: users.slice(from, next),
        ...(next < users.length && { nextPageToken: String(next) }),
      };
    },
    async readChanges(_uid, cursor, limit) {
      const from = Number(cursor ?? 0);
      const next = Math.min(from + limit, entries.length);
      return {
        kind: 'page',
        entries: entries.slice(from, next),
        cursor: String(next),
        moreComing: next < entries.length,
      };
    },
    lookup: () => Promise.reject(new Error('not used')),
    write: () => Promise.reject(new Error('not used')),
  };
}

/** Counts by event and outcome, as admin-telemetry would show them. */
function countingTelemetry() {
  const counts = new Map<string, number>();
  return {
    counts,
    record(event: string, outcome: string, fields: { count?: number }) {
      const key = `${event}.${outcome}`;
      counts.set(key, (counts.get(key) ?? 0) + (fields.count ?? 1));
    },
  };
}

/** Cloud Tasks, played here: batches and fan-out pages queue up and run in order. */
function inlineQueue() {
  const batches: Array<{ uid: string; dryRun: boolean; next: BatchPointer }> = [];
  const fanOuts: FanOutTask[] = [];
  const tasks: BackfillTasks = {
    async enqueueBatch(uid, dryRun, next) {
      batches.push({ uid, dryRun, next });
    },
    async enqueueFanOut(task) {
      fanOuts.push(task);
    },
  };
  return { tasks, batches, fanOuts };
}

const PAGE = 8;

/** Queues the user's run and works it to the end, batch after batch, as the task queue would. */
async function migrate(firestore: Firestore, uid: string, legacy: LegacyStore) {
  const queue = inlineQueue();
  const states = new MigrationStateStore(firestore);
  const telemetry = countingTelemetry();
  const job = new BackfillJob({
    db: firestore,
    states,
    legacy,
    tasks: queue.tasks,
    telemetry,
    flags: async () => ({ ...flagDefaults, backfillBatchSize: PAGE, dualWriteEnabled: false }),
    // Streaks are not what this file is about.
    finishStreaks: async () => 0,
    leaseMs: 60_000,
  });
  await new BackfillRequests(states, queue.tasks, telemetry).request(uid, {
    force: false,
    dryRun: false,
  });
  const outcomes: BatchOutcome[] = [];
  for (let i = 0; i < 50 && queue.batches.length > 0; i += 1) {
    const { next, dryRun } = queue.batches.shift()!;
    const task = { uid, runId: next.runId, batch: next.batch, dryRun };
    // As Cloud Tasks would, a task that throws is run again (at most a few times here).
    let outcome: BatchOutcome | undefined;
    for (let attempt = 1; outcome === undefined; attempt += 1) {
      try {
        outcome = await job.run(task, { owner: `t-${next.batch}`, finalAttempt: attempt === 3 });
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    outcomes.push(outcome);
  }
  const state = (await states.get(uid)) as MigrationState;
  return { state, outcomes, telemetry: telemetry.counts };
}

const T = 1_700_000_000_000;

function xpEvent(id: string, amount: number, completion?: string): LegacyRecord {
  return {
    kind: 'xpEvent',
    recordName: `CD_XPEvent_${id}`,
    recordChangeTag: 't1',
    fields: {
      CD_entityName: 'XPEvent',
      CD_id: id,
      CD_amount: amount,
      CD_reason: 'completion',
      CD_occurredAt: T,
      ...(completion !== undefined && { CD_completion: completion }),
    },
  };
}

const habit = (id: string): LegacyRecord => legacyHabitEntry(id, T);

async function ids(firestore: Firestore, path: string): Promise<string[]> {
  return (await firestore.collection(path).listDocuments()).map((d) => d.id).sort();
}

describe('legacy names Firestore refuses', () => {
  it('XP events named "..", ".", "__x__" and "a/b" migrate under escaped ids, and the run completes', async () => {
    const firestore = db();
    const uid = `bad-names-${randomUUID()}`;
    const records: Entry[] = [
      habit('h1'),
      xpEvent('..', 1),
      xpEvent('.', 2),
      xpEvent('__x__', 4),
      xpEvent('a/b', 8),
      xpEvent('ok', 16),
      { kind: 'deleted', recordName: '__gone__' },
      { kind: 'deleted', recordName: 'CD_Habit_..' },
      { kind: 'invalid', recordName: '..', recordType: 'CD_Habit', reason: 'no fields' },
      { kind: 'invalid', recordName: '__y__', recordType: 'CD_Habit', reason: 'no fields' },
      xpEvent('x'.repeat(1_600), 32),
    ];

    const { state, outcomes } = await migrate(firestore, uid, legacyStandIn(records));

    expect(outcomes.at(-1)).toBe('completed');
    expect(outcomes).not.toContain('failed');
    expect(state).toMatchObject({
      status: 'completed_with_errors',
      counts: { habits: 1, xp: 5, deleted: 1, skipped: 1, quarantined: 3 },
    });
    expect(await ids(firestore, `users/${uid}/xpEvents`)).toEqual([
      'legacy-ok',
      'legacy-~.',
      'legacy-~..',
      'legacy-~__x__',
      'legacy-~a%2Fb',
    ]);
    const progress = await firestore.doc(`users/${uid}/meta/progress`).get();
    expect(progress.get('legacyXp')).toBe(31);
    const quarantined = await ids(firestore, `users/${uid}/migrationErrors`);
    expect(quarantined).toEqual(
      ['..', '__y__', `CD_XPEvent_${'x'.repeat(1_600)}`].map(migrationErrorId).sort(),
    );
    const tooLong = await firestore
      .doc(`users/${uid}/migrationErrors/${migrationErrorId(`CD_XPEvent_${'x'.repeat(1_600)}`)}`)
      .get();
    expect(tooLong.get('reason')).toContain('cannot be a Firestore document id');
  });

  it('a record Firestore refuses whatever its id is quarantined, and the rest of its page commits', async () => {
    const firestore = db();
    const uid = `bad-names-${randomUUID()}`;
    // Its attribution alone is over Firestore's 1 MiB limit on a document.
    const oversized = xpEvent('huge', 100, `CD_Completion_h1_${'9'.repeat(1_100_000)}`);
    const records: Entry[] = [
      habit('h1'),
      xpEvent('a', 1),
      oversized,
      xpEvent('b', 2),
      ...Array.from({ length: 10 }, (_, i) => xpEvent(`n${i}`, 10)),
    ];

    const { state, outcomes, telemetry } = await migrate(firestore, uid, legacyStandIn(records));

    expect(outcomes.at(-1)).toBe('completed');
    expect(outcomes).not.toContain('failed');
    expect(state).toMatchObject({
      status: 'completed_with_errors',
      counts: { habits: 1, xp: 12, quarantined: 1 },
      batches: 2,
    });
    const events = await ids(firestore, `users/${uid}/xpEvents`);
    expect(events).toHaveLength(12);
    expect(events).not.toContain('legacy-huge');
    expect((await firestore.doc(`users/${uid}/meta/progress`).get()).get('legacyXp')).toBe(103);
    expect(await ids(firestore, `users/${uid}/habits`)).toEqual(['h1']);
    const error = await firestore
      .doc(`users/${uid}/migrationErrors/${migrationErrorId('CD_XPEvent_huge')}`)
      .get();
    expect(error.get('reason')).toMatch(/^Firestore refuses its writes \(3\)/);
    expect(telemetry.get('migrationRecords.quarantined')).toBe(1);
  });
});

describe('the `all` fan-out over AppUser records', () => {
  it('logs, counts and passes over uids that cannot name a user, and queues everyone after them', async () => {
    const firestore = db();
    const prefix = `fan-bad-${randomUUID().slice(0, 8)}-`;
    const good = Array.from({ length: 12 }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
    const bad = ['a/b', '..', '__x__', `${prefix}${'x'.repeat(200)}`];
    // The bad ones first and between, so that a page holds both.
    const users = [bad[0], ...good.slice(0, 4), bad[1], bad[2], ...good.slice(4), bad[3]].map(
      (uid) => ({ uid, userRecordName: `_${uid}` }),
    );
    const queue = inlineQueue();
    const telemetry = countingTelemetry();
    const requests = new BackfillRequests(
      new MigrationStateStore(firestore),
      queue.tasks,
      telemetry,
    );
    const fanOut = new BackfillFanOut(
      legacyStandIn([], users),
      requests,
      queue.tasks,
      async () => true,
      telemetry,
    );

    queue.fanOuts.push({ fanOutId: 'm1', pageToken: null, force: false, dryRun: false });
    for (let i = 0; i < 20 && queue.fanOuts.length > 0; i += 1) {
      await fanOut.page(queue.fanOuts.shift()!);
    }

    expect(queue.batches.map((b) => b.uid).sort()).toEqual(good);
    const states = await firestore.getAll(
      ...good.map((uid) => firestore.doc(`users/${uid}/meta/migration`)),
    );
    for (const snap of states) expect(snap.get('status')).toBe('queued');
    expect(telemetry.counts.get('backfillFanOut.invalidIdentity')).toBe(bad.length);
  });
});
