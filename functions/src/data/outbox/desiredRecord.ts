import type { DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import { legacyUpsert } from '../legacy/mapping/firestoreToLegacyMapper';
import { userPaths } from '../firestore/paths';
import {
  readStoredIfExists,
  storedCompletion,
  storedHabit,
  storedStreak,
  storedTombstone,
  storedXpEvent,
} from '../firestore/storedDocuments';
import { habitIdOfCompletion } from '../../domain/completion';
import { type OutboxEntry, recordDocumentId } from './outboxEntry';
import type { DesiredRecord, LastCopy } from './deliveryPlan';

type DesiredUpsert = Extract<DesiredRecord, { state: 'present' }>['write'];

const ms = (iso: string) => Date.parse(iso);

function tombstoneOf(snap: DocumentSnapshot) {
  return readStoredIfExists(storedTombstone, snap);
}

/**
 * What Firestore holds now for the record an outbox entry names, as the CloudKit record it should
 * be, and the last copy this backend wrote there. Read in one round trip.
 */
export async function readDesiredRecord(
  db: Firestore,
  uid: string,
  entry: Pick<OutboxEntry, 'kind' | 'id' | 'recordName'>,
): Promise<{ desired: DesiredRecord; lastCopy: LastCopy | undefined }> {
  const paths = userPaths(db, uid);
  const { id, recordName } = entry;
  const habitId = entry.kind === 'completion' ? habitIdOfCompletion(id) : id;
  const own = {
    habit: paths.habits.doc(id),
    completion: paths.completions.doc(id),
    streak: paths.streaks.doc(id),
    xpEvent: paths.xpEvents.doc(id),
  }[entry.kind];
  const [ownSnap, tombSnap, habitTombSnap, copySnap] = await db.getAll(
    own,
    paths.tombstones.doc(id),
    paths.tombstones.doc(habitId),
    paths.legacyCopies.doc(recordDocumentId(recordName)),
  );
  const lastCopy = copySnap.exists
    ? {
        recordChangeTag: copySnap.get('recordChangeTag') as string,
        version: (copySnap.get('version') as number | undefined) ?? 0,
      }
    : undefined;
  const deleted = (deletedAt: string, final: boolean): DesiredRecord => ({
    state: 'deleted',
    recordName,
    deletedAtMs: ms(deletedAt),
    final,
  });
  const habitTomb = tombstoneOf(habitTombSnap);
  const tomb = tombstoneOf(tombSnap);
  /** An entity both apps edit: the conflict rule goes by its edit time. */
  const edited = (write: DesiredUpsert, entity: { version: number; updatedAt: string }) => ({
    state: 'present' as const,
    write,
    version: entity.version,
    authority: { kind: 'edited' as const, editedAtMs: ms(entity.updatedAt) },
  });
  const unknown: DesiredRecord = { state: 'unknown' };

  const desired = ((): DesiredRecord => {
    switch (entry.kind) {
      case 'habit': {
        const habit = readStoredIfExists(storedHabit, ownSnap);
        if (habit) return edited(legacyUpsert('habit', habit), habit);
        return tomb ? deleted(tomb.deletedAt, false) : unknown;
      }
      case 'completion': {
        const completion = readStoredIfExists(storedCompletion, ownSnap);
        if (completion) return edited(legacyUpsert('completion', completion), completion);
        if (habitTomb) return deleted(habitTomb.deletedAt, true);
        return tomb ? deleted(tomb.deletedAt, false) : unknown;
      }
      case 'streak': {
        const streak = readStoredIfExists(storedStreak, ownSnap);
        if (streak) {
          const write = legacyUpsert('streak', streak);
          return { state: 'present', write, version: 0, authority: { kind: 'derived' } };
        }
        return habitTomb ? deleted(habitTomb.deletedAt, true) : unknown;
      }
      case 'xpEvent': {
        const event = readStoredIfExists(storedXpEvent, ownSnap);
        if (!event) return unknown;
        const write = legacyUpsert('xpEvent', {
          id,
          delta: event.delta,
          reason: event.reason,
          ...(event.completionId !== undefined && { completionId: event.completionId }),
          occurredAt: event.occurredAt ?? event.createdAt,
        });
        return { state: 'present', write, version: 1, authority: { kind: 'immutable' } };
      }
    }
  })();
  return { desired, lastCopy };
}
