import type { DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import { legacyUpsert } from '../../migration/firestoreToLegacyMapper';
import { userPaths } from '../firestore/paths';
import {
  readStoredIfExists,
  storedCompletion,
  storedHabit,
  storedStreak,
  storedTombstone,
  storedXpEvent,
} from '../firestore/storedDocuments';
import type { OutboxEntry } from './outboxEntry';
import type { DesiredRecord, LastCopy } from './deliveryPlan';

const ms = (iso: string) => Date.parse(iso);

/** A completion's id is `<habitId>_<date>`; a date holds no `_`. */
export function habitIdOfCompletion(completionId: string): string {
  return completionId.slice(0, completionId.lastIndexOf('_'));
}

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
    paths.legacyCopies.doc(recordName),
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

  switch (entry.kind) {
    case 'habit': {
      const habit = readStoredIfExists(storedHabit, ownSnap);
      const tomb = tombstoneOf(tombSnap);
      if (habit) {
        const write = legacyUpsert('habit', habit);
        return {
          desired: {
            state: 'present',
            write,
            version: habit.version,
            authority: { kind: 'edited', editedAtMs: ms(habit.updatedAt) },
          },
          lastCopy,
        };
      }
      return { desired: tomb ? deleted(tomb.deletedAt, false) : { state: 'unknown' }, lastCopy };
    }
    case 'completion': {
      const completion = readStoredIfExists(storedCompletion, ownSnap);
      if (completion) {
        const write = legacyUpsert('completion', completion);
        return {
          desired: {
            state: 'present',
            write,
            version: completion.version,
            authority: { kind: 'edited', editedAtMs: ms(completion.updatedAt) },
          },
          lastCopy,
        };
      }
      const tomb = tombstoneOf(tombSnap);
      if (habitTomb) return { desired: deleted(habitTomb.deletedAt, true), lastCopy };
      return { desired: tomb ? deleted(tomb.deletedAt, false) : { state: 'unknown' }, lastCopy };
    }
    case 'streak': {
      const streak = readStoredIfExists(storedStreak, ownSnap);
      if (streak) {
        const write = legacyUpsert('streak', streak);
        return {
          desired: { state: 'present', write, version: 0, authority: { kind: 'derived' } },
          lastCopy,
        };
      }
      return {
        desired: habitTomb ? deleted(habitTomb.deletedAt, true) : { state: 'unknown' },
        lastCopy,
      };
    }
    case 'xpEvent': {
      const event = readStoredIfExists(storedXpEvent, ownSnap);
      if (!event) return { desired: { state: 'unknown' }, lastCopy };
      const write = legacyUpsert('xpEvent', {
        id,
        delta: event.delta,
        reason: event.reason,
        ...(event.completionId !== undefined && { completionId: event.completionId }),
        occurredAt: event.occurredAt ?? event.createdAt,
      });
      return {
        desired: { state: 'present', write, version: 1, authority: { kind: 'immutable' } },
        lastCopy,
      };
    }
  }
}
