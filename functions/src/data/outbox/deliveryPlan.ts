import { firestoreDeletionWins, firestoreEditWins, sameFields } from '../../domain/conflictRule';
import type { LegacyWrite } from '../legacy/legacyStore';

/** What Firestore holds for a record now, as the CloudKit record it should be. */
export type DesiredRecord =
  | {
      state: 'present';
      write: Extract<LegacyWrite, { op: 'upsert' }>;
      /** Firestore's version of the entity (0 for records without one). */
      version: number;
      /**
       * `edited`: the conflict rule applies by edit time; `derived`: Firestore's copy is computed
       * from the rest (a streak) and always wins; `immutable`: written once, never changed (XP).
       */
      authority:
        { kind: 'edited'; editedAtMs: number } | { kind: 'derived' } | { kind: 'immutable' };
    }
  | {
      state: 'deleted';
      recordName: string;
      deletedAtMs: number;
      /** The deletion beats any edit on the other side (a completion of a deleted habit). */
      final: boolean;
    }
  /** Firestore has neither the record nor a tombstone: nothing to make CloudKit equal to. */
  | { state: 'unknown' };

export interface CurrentRecord {
  recordChangeTag: string;
  fields: Record<string, unknown>;
  /** `CD_updatedAt` where the record type has one. */
  editedAtMs: number | undefined;
}

export interface LastCopy {
  recordChangeTag: string;
  version: number;
}

export type DeliveryResult =
  /** CloudKit now holds Firestore's state, written by this delivery. */
  | 'delivered'
  /** CloudKit already held it: nothing written. */
  | 'already_equal'
  /** Both sides changed: the conflict rule decided (and CloudKit was written if Firestore won). */
  | 'conflict_resolved';

export type DeliveryStep =
  | { action: 'none'; result: DeliveryResult }
  | { action: 'write'; write: LegacyWrite; result: DeliveryResult };

/**
 * Same content on both sides. Versions are left out: each side counts its own changes, so a copy
 * the backfill took from CloudKit and the API since re-versioned is still the same record.
 */
export function sameContent(a: object, b: object): boolean {
  return sameFields(a, b, ['CD_version']);
}

/**
 * One step towards CloudKit equal to Firestore, for the record as both sides hold it now. Every
 * write is conditional on what was read (create if absent, replace or delete with the change tag
 * read), so a step planned on a stale read fails with a conflict and is planned again.
 */
export function planDelivery(
  desired: DesiredRecord,
  current: CurrentRecord | undefined,
  lastCopy: LastCopy | undefined,
): DeliveryStep {
  if (desired.state === 'unknown') return { action: 'none', result: 'already_equal' };
  const ours = current !== undefined && lastCopy?.recordChangeTag === current.recordChangeTag;
  // The old app changed (or deleted) our copy since we wrote it: a real two-sided conflict.
  const contested = lastCopy !== undefined && !ours;
  const decided: DeliveryResult = contested ? 'conflict_resolved' : 'delivered';

  if (desired.state === 'deleted') {
    if (!current) return { action: 'none', result: 'already_equal' };
    const deletionWins =
      ours ||
      desired.final ||
      current.editedAtMs === undefined ||
      firestoreDeletionWins(desired.deletedAtMs, current.editedAtMs);
    if (!deletionWins) return { action: 'none', result: 'conflict_resolved' };
    const write: LegacyWrite = {
      op: 'delete',
      recordName: desired.recordName,
      recordChangeTag: current.recordChangeTag,
    };
    return { action: 'write', write, result: decided };
  }

  const { write, authority } = desired;
  // Absent: never written, or deleted by the old app while this change was pending, and an
  // undelivered change beats a deletion (conflictRule.legacyDeletionWins).
  if (!current) return { action: 'write', write: { ...write, ifAbsent: true }, result: decided };
  if (sameContent(write.fields, current.fields)) return { action: 'none', result: 'already_equal' };
  if (authority.kind === 'immutable') return { action: 'none', result: 'already_equal' };
  const firestoreWins =
    ours ||
    authority.kind === 'derived' ||
    current.editedAtMs === undefined ||
    firestoreEditWins(authority.editedAtMs, current.editedAtMs);
  if (!firestoreWins) return { action: 'none', result: 'conflict_resolved' };
  return {
    action: 'write',
    write: { ...write, recordChangeTag: current.recordChangeTag },
    result: decided,
  };
}
