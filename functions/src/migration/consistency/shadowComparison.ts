import type { DocumentReference, DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import { config } from '../../config';
import { deletionsSince } from '../../domain/catchUp';
import { habitIdOfCompletion } from '../../domain/completion';
import { type ShadowCompareTask, shadowComparable } from '../../domain/consistency';
import { userPaths } from '../../data/firestore/paths';
import { readStored, storedCompletion, storedHabit } from '../../data/firestore/storedDocuments';
import { LegacyStoreError } from '../../data/legacy/legacyErrors';
import { legacyRecordName } from '../../data/legacy/legacyRecords';
import type { LegacyLookup, LegacyStore } from '../../data/legacy/legacyStore';
import { isAwaitingLink } from '../../data/legacy/legacyStore';
import { mapLegacyEntry } from '../../data/legacy/mapping/legacyToFirestoreMapper';
import { recordDocumentId } from '../../data/outbox/outboxEntry';
import type { Flags } from '../../flags/flagDefaults';
import { logs } from '../../logs';
import type { Telemetry } from '../../telemetry/telemetryEvents';
import type { Deletion } from '../backfillConflicts';
import type { MigrationStateStore } from '../migrationStateStore';
import type { ConsistencyFindings, Finding } from './consistencyFindings';
import {
  isConsistent,
  type RecordVerdict,
  verdictOfLegacyDeletion,
  verdictOfRecord,
} from './recordVerdict';

export interface ShadowComparisonDeps {
  db: Firestore;
  legacy: LegacyStore;
  states: MigrationStateStore;
  telemetry: Telemetry;
  flags(uid: string): Promise<Flags>;
  findings: ConsistencyFindings;
}

export type ShadowOutcome = 'consistent' | 'inconsistent' | 'pending';

/** What one comparison found, per record name; `failed` when CloudKit could not be read. */
export type ShadowResult = Map<string, ShadowOutcome> | 'failed';

const UNREADABLE = '(unreadable)';

/**
 * The background half of a sampled read (shadowSampler.ts): each record it answered with,
 * Firestore's document (or tombstone) against CloudKit's record, by the verifier's rule
 * (recordVerdict.ts). A record with an outbox entry is still on its way to CloudKit: `pending`,
 * not compared. Differences are counted, logged by field name only, opened as inconsistencies
 * and, when the repair flag allows, repaired (consistencyFindings.ts).
 */
export class ShadowComparison {
  constructor(private readonly deps: ShadowComparisonDeps) {}

  /** `finalAttempt`: the queue will not retry, so a CloudKit failure is counted, not thrown. */
  async run(task: ShadowCompareTask, finalAttempt: boolean): Promise<ShadowResult> {
    const { db, states, telemetry } = this.deps;
    const { uid, kind } = task;
    const ids = [...new Set(task.ids)].slice(0, config.consistency.shadowMaxIds);
    const paths = userPaths(db, uid);
    const collection = kind === 'habit' ? paths.habits : paths.completions;
    const nameOf = (id: string) => legacyRecordName(kind, id);
    const refsOf = (id: string) => ({
      doc: collection.doc(id),
      tomb: paths.tombstones.doc(id),
      habitTomb: paths.tombstones.doc(kind === 'completion' ? habitIdOfCompletion(id) : id),
      outbox: paths.legacyOutbox.doc(recordDocumentId(nameOf(id))),
    });
    const unique = new Map<string, DocumentReference>();
    for (const refs of ids.map(refsOf)) {
      for (const ref of Object.values(refs)) unique.set(ref.path, ref);
    }
    const [state, docs] = await Promise.all([states.get(uid), db.getAll(...unique.values())]);
    const byPath = new Map(docs.map((d) => [d.ref.path, d]));
    const snap = (ref: DocumentReference) => byPath.get(ref.path) as DocumentSnapshot;

    const result = new Map<string, ShadowOutcome>();
    const compared = ids.filter((id) => {
      if (!snap(refsOf(id).outbox).exists) return true;
      result.set(nameOf(id), 'pending');
      telemetry.record('shadowCompare', `${kind}.pending`, { uid });
      return false;
    });
    if (compared.length === 0) return result;

    const lookup = await this.lookup(task, compared.map(nameOf), finalAttempt);
    if (lookup === 'failed') {
      telemetry.record('shadowCompare', 'failed', { uid });
      return 'failed';
    }
    const found = new Map(lookup.found.map((record) => [record.recordName, record]));
    const since = deletionsSince(state);
    const consistent: string[] = [];
    const inconsistent: Finding[] = [];
    for (const id of compared) {
      const name = nameOf(id);
      const refs = refsOf(id);
      const doc = snap(refs.doc);
      const record = found.get(name);
      let verdict: RecordVerdict;
      if (!record) {
        const existing = doc.exists ? { updatedAt: doc.get('updatedAt') as string } : undefined;
        verdict = verdictOfLegacyDeletion(existing, since, false);
      } else {
        const habitTomb = snap(refs.habitTomb);
        const tomb = snap(refs.tomb);
        const deletion: Deletion | undefined =
          kind === 'completion' && habitTomb.exists
            ? { deletedAt: habitTomb.get('deletedAt') as string, final: true }
            : tomb.exists
              ? { deletedAt: tomb.get('deletedAt') as string, final: false }
              : undefined;
        const mapped = mapLegacyEntry(record);
        if (mapped.kind === 'habit' && kind === 'habit') {
          const stored = doc.exists ? readStored(storedHabit, doc) : undefined;
          verdict = verdictOfRecord(mapped.habit, stored, deletion, collection.id);
        } else if (mapped.kind === 'completion' && kind === 'completion') {
          const stored = doc.exists ? readStored(storedCompletion, doc) : undefined;
          verdict = verdictOfRecord(mapped.completion, stored, deletion, collection.id);
        } else {
          verdict = { verdict: 'differs', fields: [UNREADABLE], problem: 'unreadable in CloudKit' };
        }
      }
      if (isConsistent(verdict)) {
        consistent.push(name);
        result.set(name, 'consistent');
        telemetry.record('shadowCompare', `${kind}.consistent`, { uid });
      } else {
        const fields = verdict.verdict === 'differs' ? verdict.fields : [];
        inconsistent.push({ recordName: name, kind, fields });
        result.set(name, 'inconsistent');
        telemetry.record('shadowCompare', `${kind}.inconsistent`, { uid });
        logs.inconsistencyFound('shadow', uid, name, kind, fields);
      }
    }
    const flags = await this.deps.flags(uid);
    const repair = flags.consistencyRepairEnabled && shadowComparable(flags, state.status);
    await this.deps.findings.record(uid, { consistent, inconsistent }, 'shadow', repair);
    return result;
  }

  /**
   * CloudKit's copies, under the user's conversation lease (the store serializes it). A retryable
   * failure is thrown for the queue to retry, until its last attempt; then, like a refusal or a
   * missing link, the comparison is given up: only a sample is lost.
   */
  private async lookup(
    task: ShadowCompareTask,
    recordNames: string[],
    finalAttempt: boolean,
  ): Promise<LegacyLookup | 'failed'> {
    try {
      const lookup = await this.deps.legacy.lookup(task.uid, recordNames);
      if (!isAwaitingLink(lookup)) return lookup;
      logs.shadowCompareFailed(task.uid, task.kind, 'awaiting_link');
      return 'failed';
    } catch (error) {
      if (!(error instanceof LegacyStoreError)) throw error;
      if (error.retryable && !finalAttempt) throw error;
      logs.shadowCompareFailed(task.uid, task.kind, error.code);
      return 'failed';
    }
  }
}
