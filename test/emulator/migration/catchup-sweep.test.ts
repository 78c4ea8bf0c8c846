import { randomUUID } from 'node:crypto';
import { getApps, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import type { CatchUpSweepTask, CatchUpTask } from '../../../functions/src/domain/backfillMessages';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import { CatchUpSweep } from '../../../functions/src/migration/catchUpSweep';
import type { CatchUpTasks } from '../../../functions/src/migration/catchUpTasks';
import { adminDb } from '../support/admin';

/**
 * The schedule's and the `all` message's sweep over the real Firestore emulator, in a project of
 * its own so that only this test's users are there. Tasks are recorded, not run: what matters is
 * who is asked for, once each, page after page.
 */
const PROJECT = 'demo-catchup-sweep';

function db(): Firestore {
  adminDb(); // points the SDK at the emulators
  const app =
    getApps().find((a) => a.name === PROJECT) ??
    initializeApp({ projectId: PROJECT, serviceAccountId: 'sweep@example.com' }, PROJECT);
  return getFirestore(app);
}

const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** Records what the sweep enqueues, and runs its continuation pages as Cloud Tasks would. */
function recordingTasks() {
  const catchUps: Array<{ task: CatchUpTask; key: string }> = [];
  const sweeps: CatchUpSweepTask[] = [];
  const tasks: CatchUpTasks = {
    async enqueueCatchUp(task, key) {
      catchUps.push({ task, key });
    },
    async enqueueSweep(task) {
      sweeps.push(task);
    },
  };
  return { tasks, catchUps, sweeps };
}

async function sweepAll(first: CatchUpSweepTask, pageSize: number) {
  const recorded = recordingTasks();
  const sweep = new CatchUpSweep(db(), recorded.tasks, pageSize);
  await sweep.page(first);
  while (recorded.sweeps.length > 0) await sweep.page(recorded.sweeps.shift()!);
  return recorded.catchUps;
}

describe('the catch-up sweep', () => {
  const prefix = `sweep-${randomUUID().slice(0, 8)}`;
  const users: Record<string, MigrationState[]> = {
    // Due: followed, last caught up long ago.
    [`${prefix}-due-1`]: [
      { status: 'completed', catchUp: { following: true, caughtUpAt: ago(3 * HOUR) } },
    ],
    [`${prefix}-due-2`]: [
      { status: 'completed_with_errors', catchUp: { following: true, caughtUpAt: ago(2 * HOUR) } },
    ],
    [`${prefix}-due-3`]: [
      { status: 'completed', catchUp: { following: true, caughtUpAt: ago(5 * HOUR) } },
    ],
    // Recent: not due yet.
    [`${prefix}-fresh`]: [
      { status: 'completed', catchUp: { following: true, caughtUpAt: ago(60_000) } },
    ],
    // Dropped for want of a token: legacy-link brings them back, not the schedule.
    [`${prefix}-unlinked`]: [
      { status: 'completed', catchUp: { following: false, caughtUpAt: ago(9 * HOUR) } },
    ],
    // Migrated before catch-ups existed: only an operator's `all` reaches them.
    [`${prefix}-legacy`]: [{ status: 'completed' }],
    [`${prefix}-running`]: [{ status: 'running' }],
  };

  beforeAll(async () => {
    const firestore = db();
    for (const [uid, [state]] of Object.entries(users)) {
      await firestore.doc(`users/${uid}/meta/migration`).set({ ...state, dryRun: false });
    }
    // A dry run that completed is no user to follow.
    await firestore
      .doc(`users/${prefix}-dry/meta/migrationDryRun`)
      .set({ status: 'completed', dryRun: true });
  });

  const ours = (asked: Array<{ task: CatchUpTask }>) =>
    asked
      .map((a) => a.task.uid)
      .filter((uid) => uid.startsWith(prefix))
      .sort();

  it('the schedule asks for each followed user last caught up before the cutoff, once, across pages', async () => {
    const dueBefore = ago(HOUR);
    const asked = await sweepAll({ sweepId: 'tick-1', scope: 'due', dueBefore, after: null }, 1);

    expect(ours(asked)).toEqual([`${prefix}-due-1`, `${prefix}-due-2`, `${prefix}-due-3`]);
    expect(asked.every((a) => a.task.requestedAt === dueBefore)).toBe(true);
    // Named by the user's last catch-up: the next tick, while these still retry, adds nothing.
    const due1 = asked.find((a) => a.task.uid === `${prefix}-due-1`);
    expect(due1?.key).toBe(`due:${users[`${prefix}-due-1`][0].catchUp?.caughtUpAt}`);
    const nextTick = {
      sweepId: 'tick-2',
      scope: 'due' as const,
      dueBefore: ago(HOUR - 5),
      after: null,
    };
    const next = await sweepAll(nextTick, 2);
    expect(next.find((a) => a.task.uid === `${prefix}-due-1`)?.key).toBe(due1?.key);
  });

  it('an operator’s all asks for every migrated user, followed or not yet, and no one else', async () => {
    const now = new Date().toISOString();
    const asked = await sweepAll({ sweepId: 'm-9', scope: 'all', dueBefore: now, after: null }, 2);

    expect(ours(asked)).toEqual(
      [
        `${prefix}-due-1`,
        `${prefix}-due-2`,
        `${prefix}-due-3`,
        `${prefix}-fresh`,
        `${prefix}-legacy`,
        `${prefix}-unlinked`,
      ].sort(),
    );
    expect(new Set(asked.map((a) => a.task.uid)).size).toBe(asked.length);
  });
});
