import {
  type DocumentReference,
  FieldValue,
  Firestore,
  type SetOptions,
  type Transaction,
} from 'firebase-admin/firestore';
import { userPaths } from '../../../functions/src/data/firestore/paths';
import {
  APPEND_XP_WRITES,
  appendXpEvent,
  bumpDataVersion,
  createXpEvent,
  DATA_VERSION_WRITES,
  HABIT_WORK_WRITES,
  OUTBOX_ENTRY_WRITES,
  PROGRESS_WRITES,
  recordOutboxEntry,
  removeTombstone,
  requestHabitWork,
  TOMBSTONE_WRITES,
  writeProgress,
  writeProgressWithOpeningBalance,
  writeTombstone,
  XP_EVENT_WRITES,
} from '../../../functions/src/data/firestore/userWrites';
import { legacyRecordName } from '../../../functions/src/data/legacy/legacyRecords';
import { recordDocumentId } from '../../../functions/src/data/outbox/outboxEntry';

interface Recorded {
  op: 'set' | 'create' | 'delete';
  path: string;
  data?: Record<string, unknown>;
  options?: SetOptions;
}

/** A transaction that only records what a primitive asks of it (references need no server). */
function recordingTx(): { tx: Transaction; writes: Recorded[] } {
  const writes: Recorded[] = [];
  const fake = {
    set(ref: DocumentReference, data: Record<string, unknown>, options?: SetOptions) {
      writes.push({ op: 'set', path: ref.path, data, options });
      return fake;
    },
    create(ref: DocumentReference, data: Record<string, unknown>) {
      writes.push({ op: 'create', path: ref.path, data });
      return fake;
    },
    delete(ref: DocumentReference) {
      writes.push({ op: 'delete', path: ref.path });
      return fake;
    },
  };
  return { tx: fake as unknown as Transaction, writes };
}

const paths = userPaths(new Firestore({ projectId: 'demo-unit' }), 'u1');
const NOW = '2026-03-17T09:00:00.000Z';

describe('per-user write primitives', () => {
  it('bumps the data version by merging an increment, unread', () => {
    const { tx, writes } = recordingTx();
    bumpDataVersion(tx, paths, NOW);
    expect(writes).toHaveLength(DATA_VERSION_WRITES);
    const [write] = writes;
    expect(write).toMatchObject({
      op: 'set',
      path: 'users/u1/meta/sync',
      options: { merge: true },
    });
    expect((write.data?.version as FieldValue).isEqual(FieldValue.increment(1))).toBe(true);
    expect(write.data?.updatedAt).toBe(NOW);
  });

  it("rewrites a record's outbox entry as a fresh pending one", () => {
    const { tx, writes } = recordingTx();
    recordOutboxEntry(tx, paths, { kind: 'completion', id: 'h1_2026-03-17' }, NOW);
    const recordName = legacyRecordName('completion', 'h1_2026-03-17');
    expect(writes).toHaveLength(OUTBOX_ENTRY_WRITES);
    expect(writes[0]).toEqual({
      op: 'set',
      path: `users/u1/legacyOutbox/${recordDocumentId(recordName)}`,
      data: {
        recordName,
        kind: 'completion',
        id: 'h1_2026-03-17',
        status: 'pending',
        createdAt: NOW,
        updatedAt: NOW,
        attempts: 0,
        lastError: null,
      },
      options: undefined,
    });
  });

  it('dates a tombstone one version above what it deletes, replacing any earlier one', () => {
    const { tx, writes } = recordingTx();
    writeTombstone(tx, paths, { kind: 'habit', id: 'h1', version: 4 }, NOW);
    expect(writes).toHaveLength(TOMBSTONE_WRITES);
    expect(writes[0]).toEqual({
      op: 'set',
      path: 'users/u1/tombstones/h1',
      data: { kind: 'habit', version: 5, deletedAt: NOW },
      options: undefined,
    });
  });

  it('removes a tombstone', () => {
    const { tx, writes } = recordingTx();
    removeTombstone(tx, paths, 'h1_2026-03-17');
    expect(writes).toEqual([{ op: 'delete', path: 'users/u1/tombstones/h1_2026-03-17' }]);
  });

  it('creates an XP event, so an id that exists fails the commit', () => {
    const { tx, writes } = recordingTx();
    createXpEvent(tx, paths.xpEvents.doc('legacy-e1'), { delta: 30, reason: 'r' }, NOW);
    expect(writes).toHaveLength(XP_EVENT_WRITES);
    expect(writes[0]).toEqual({
      op: 'create',
      path: 'users/u1/xpEvents/legacy-e1',
      data: { delta: 30, reason: 'r', createdAt: NOW },
    });
  });

  it('appends an entry and merges the total, keeping the opening balance beside it', () => {
    const { tx, writes } = recordingTx();
    const progress = appendXpEvent(
      tx,
      paths,
      paths.xpEvents.doc('e1'),
      20,
      { habitId: 'h1', reason: 'habit-deleted', delta: -50 },
      NOW,
    );
    expect(progress.totalXp).toBe(0);
    expect(writes).toHaveLength(APPEND_XP_WRITES);
    expect(writes[1]).toEqual({
      op: 'set',
      path: 'users/u1/meta/progress',
      data: {
        totalXp: 0,
        level: 1,
        xpIntoLevel: 0,
        xpForNextLevel: 100,
        ledgerXp: -30,
        updatedAt: NOW,
      },
      options: { merge: true },
    });
  });

  it('appends nothing for a zero delta', () => {
    const { tx, writes } = recordingTx();
    const progress = appendXpEvent(
      tx,
      paths,
      paths.xpEvents.doc('e1'),
      120,
      { reason: 'completion-logged', delta: 0 },
      NOW,
    );
    expect(progress.totalXp).toBe(120);
    expect(writes).toEqual([]);
  });

  it('sets the whole total when a page moves the opening balance, and merges it otherwise', () => {
    const page = recordingTx();
    writeProgressWithOpeningBalance(page.tx, paths, 150, 100, NOW);
    const api = recordingTx();
    writeProgress(api.tx, paths, 150, NOW);
    expect(page.writes).toHaveLength(PROGRESS_WRITES);
    expect(page.writes[0].options).toBeUndefined();
    expect(page.writes[0].data).toEqual({ ...api.writes[0].data, legacyXp: 100 });
    expect(api.writes[0].options).toEqual({ merge: true });
  });

  it('merges a habit-work request into any still pending', () => {
    const { tx, writes } = recordingTx();
    requestHabitWork(tx, paths, 'h1', { recount: true }, NOW);
    expect(writes).toHaveLength(HABIT_WORK_WRITES);
    expect(writes[0]).toEqual({
      op: 'set',
      path: 'users/u1/habitWork/h1',
      data: { recount: true, updatedAt: NOW },
      options: { merge: true },
    });
  });
});
