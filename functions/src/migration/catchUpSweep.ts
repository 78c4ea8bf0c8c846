import { FieldPath, type Firestore, type Query } from 'firebase-admin/firestore';
import type { CatchUpSweepTask } from '../domain/backfillMessages';
import { MIGRATED_STATUSES } from '../domain/migrationState';
import { logs } from '../logs';
import type { CatchUpTasks } from './catchUpTasks';

/** The state documents' collection group: users/{uid}/meta/migration (and migrationDryRun). */
const META = 'meta';
const STATE_DOC = 'migration';

/** The followed users whose last catch-up started before `dueBefore`: the schedule's query. */
export function dueForCatchUp(db: Firestore, dueBefore: string): Query {
  return db
    .collectionGroup(META)
    .where('catchUp.following', '==', true)
    .where('catchUp.caughtUpAt', '<', dueBefore);
}

/**
 * Pages through the users to catch up and enqueues one catch-up per user, then the next page as a
 * task of its own, so no invocation holds more than a page and a retried page enqueues the same
 * tasks (their ids derive from the sweep and the user).
 */
export class CatchUpSweep {
  constructor(
    private readonly db: Firestore,
    private readonly tasks: CatchUpTasks,
    private readonly pageSize: number,
  ) {}

  async page(task: CatchUpSweepTask): Promise<number> {
    const snap = await this.query(task).limit(this.pageSize).get();
    let requested = 0;
    for (const doc of snap.docs) {
      const uid = doc.ref.parent.parent?.id;
      // `all` matches dry-run states too: only the real one names a user to follow.
      if (!uid || doc.id !== STATE_DOC) continue;
      // The schedule asks once per last catch-up: while a user's catch-up retries (CloudKit
      // down), later ticks find the same key and add nothing.
      const key =
        task.scope === 'due'
          ? `due:${String(doc.get('catchUp.caughtUpAt'))}`
          : `sweep:${task.sweepId}`;
      await this.tasks.enqueueCatchUp({ uid, requestedAt: task.dueBefore }, key);
      requested += 1;
    }
    const last = snap.docs.at(-1);
    const more = snap.size === this.pageSize && last !== undefined;
    if (more) {
      const caughtUpAt = last.get('catchUp.caughtUpAt') as string | undefined;
      await this.tasks.enqueueSweep({
        ...task,
        after: { path: last.ref.path, ...(task.scope === 'due' && { caughtUpAt }) },
      });
    }
    logs.catchUpSweepPage(task.sweepId, requested, more);
    return requested;
  }

  private query(task: CatchUpSweepTask): Query {
    const after = task.after;
    if (task.scope === 'due') {
      const due = dueForCatchUp(this.db, task.dueBefore)
        .orderBy('catchUp.caughtUpAt')
        .orderBy(FieldPath.documentId());
      return after ? due.startAfter(after.caughtUpAt ?? '', this.db.doc(after.path)) : due;
    }
    const migrated = this.db
      .collectionGroup(META)
      .where('dryRun', '==', false)
      .where('status', 'in', [...MIGRATED_STATUSES])
      .orderBy(FieldPath.documentId());
    return after ? migrated.startAfter(this.db.doc(after.path)) : migrated;
  }
}
