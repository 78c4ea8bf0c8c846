import {
  firestoreDeletionWins,
  firestoreEditWins,
  legacyDeletionWins,
  sameFields,
} from '../domain/conflictRule';

/**
 * What the backfill does with one legacy record, given what Firestore already holds. Pure, so the
 * rules of invariant 2 (docs/architecture.md) are tested as a table; the rule itself is
 * domain/conflictRule.ts, shared with delivery to CloudKit so both sides pick the same winner.
 */
export type UpsertDecision =
  /** Firestore lacks it, or the old app's edit is the later one: write it. */
  | 'write'
  /** Firestore holds the same content (an earlier run, or dual-write, put it there). */
  | 'present'
  /** Firestore's copy is the later edit (written through the API since): keep Firestore's. */
  | 'keep_firestore'
  /** The user deleted it (or its habit) through the API after the old app's edit: never resurrect it. */
  | 'keep_deleted';

export interface Edited {
  version: number;
  updatedAt: string;
}

/** A tombstone that concerns the record: its own (dated) or its habit's (`final`: beats any edit). */
export interface Deletion {
  deletedAt: string;
  final: boolean;
}

const ms = (iso: string) => Date.parse(iso);

/**
 * Two edits: the later one wins, a tie goes to Firestore; the version counters are never compared
 * (each side raises its own). A deletion through the API wins over an earlier edit on the old
 * app; a later one (the day logged again on the old app) brings the record back.
 */
export function decideUpsert<T extends Edited>(
  legacy: T,
  existing: T | undefined,
  deletion: Deletion | undefined,
): UpsertDecision {
  if (deletion) {
    if (deletion.final || firestoreDeletionWins(ms(deletion.deletedAt), ms(legacy.updatedAt))) {
      return 'keep_deleted';
    }
    return 'write';
  }
  if (!existing) return 'write';
  if (sameFields(legacy, existing, ['version'])) return 'present';
  return firestoreEditWins(ms(existing.updatedAt), ms(legacy.updatedAt))
    ? 'keep_firestore'
    : 'write';
}

/**
 * The version a written legacy copy gets in Firestore: Firestore's versions only rise, whoever
 * made the change, so a client's `expectedVersion` always sees a change.
 */
export function writtenVersion(
  legacy: Edited,
  existing: Edited | undefined,
  tombstoneVersion: number | undefined,
): number {
  if (existing) return existing.version + 1;
  if (tombstoneVersion !== undefined) return Math.max(legacy.version, tombstoneVersion + 1);
  return legacy.version;
}

/**
 * A completion the API created while the legacy store already had one for that habit and day
 * (the user logged it on the new app before the migration reached it): the API awarded its XP
 * without knowing of the legacy one, whose XP is in the legacy ledger. The XP to take back so the
 * day counts once, as logging the same day again would: the count that does not stay.
 */
export function overlappingXpCount(
  legacy: { count: number; createdAt: string },
  existing: { count: number; createdAt: string } | undefined,
  decision: UpsertDecision,
): number {
  if (!existing || legacy.createdAt >= existing.createdAt) return 0;
  if (decision === 'write') return existing.count;
  return decision === 'present' || decision === 'keep_firestore' ? legacy.count : 0;
}

/**
 * A legacy deletion removes the Firestore copy unless Firestore holds a change CloudKit has not
 * been given (`undelivered`) or one made through the API since `deletionsSince` (the run's start,
 * or once migrated the last read of the whole feed: domain/catchUp); a kept copy is delivered to
 * CloudKit again so both sides agree.
 */
export function decideDeletion(
  existing: { updatedAt: string } | undefined,
  deletionsSince: string | null | undefined,
  undelivered = false,
): 'delete' | 'absent' | 'keep_firestore' {
  if (!existing) return 'absent';
  const editedSince = Boolean(deletionsSince && existing.updatedAt > deletionsSince);
  return legacyDeletionWins(undelivered, editedSince) ? 'delete' : 'keep_firestore';
}
