import { sameFields } from '../../domain/conflictRule';
import { type Deletion, type Edited, decideDeletion, decideUpsert } from '../backfillConflicts';

/**
 * Whether Firestore holds what it should for one CloudKit record: the ONE definition of "equal"
 * that the verifier (`ops verify`, continuous verification) and the shadow comparison share. It is
 * the backfill's own rule (backfillConflicts): a newer Firestore edit or a deletion through the
 * API is expected, anything else that differs is a difference.
 */
export type RecordVerdict =
  | { verdict: 'matched' | 'newerInFirestore' | 'deletedInFirestore' }
  | {
      verdict: 'differs';
      /** Names of the differing fields, never their values (they are the user's content). */
      fields: string[];
      problem: string;
    };

/** A field name for what is not a field: one store has the record, the other does not. */
export const PRESENCE = '(presence)';

const MATCHED: RecordVerdict = { verdict: 'matched' };
const NEWER: RecordVerdict = { verdict: 'newerInFirestore' };
const DELETED: RecordVerdict = { verdict: 'deletedInFirestore' };

export const isConsistent = (verdict: RecordVerdict) => verdict.verdict !== 'differs';

/**
 * A habit or completion CloudKit holds (`legacy`, mapped) against Firestore's document (`stored`,
 * undefined when absent) and the tombstone that concerns it. `collection` names where it lives.
 */
export function verdictOfRecord<T extends Edited>(
  legacy: T,
  stored: T | undefined,
  deletion: Deletion | undefined,
  collection: string,
): RecordVerdict {
  if (!stored) {
    if (deletion && decideUpsert(legacy, undefined, deletion) === 'keep_deleted') return DELETED;
    return { verdict: 'differs', fields: [PRESENCE], problem: `missing from ${collection}` };
  }
  const decision = decideUpsert(legacy, stored, undefined);
  // A change through the API always moves updatedAt: the same edit time with other content is a
  // copy that went wrong, not a newer one.
  if (decision === 'keep_firestore' && stored.updatedAt !== legacy.updatedAt) return NEWER;
  if (decision === 'present') return MATCHED;
  const fields = differingFields(stored, legacy);
  return { verdict: 'differs', fields, problem: `fields differ: ${fields.join(', ')}` };
}

/**
 * A record CloudKit no longer holds against Firestore's document (`existing`, undefined when
 * absent): the deletion should have reached Firestore unless it holds a change CloudKit has not
 * been given (`undelivered`) or one made through the API since `deletionsSince`.
 */
export function verdictOfLegacyDeletion(
  existing: { updatedAt: string } | undefined,
  deletionsSince: string | null | undefined,
  undelivered: boolean,
): RecordVerdict {
  if (!existing) return MATCHED;
  if (decideDeletion(existing, deletionsSince, undelivered) === 'keep_firestore') return NEWER;
  return {
    verdict: 'differs',
    fields: [PRESENCE],
    problem: 'deleted in legacy, still in Firestore',
  };
}

/** The fields that differ, by the comparison `present` uses (versions are each side's own). */
export function differingFields(a: object, b: object): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter(
    (key) =>
      key !== 'version' &&
      !sameFields(
        { [key]: (a as Record<string, unknown>)[key] },
        { [key]: (b as Record<string, unknown>)[key] },
        [],
      ),
  );
}
