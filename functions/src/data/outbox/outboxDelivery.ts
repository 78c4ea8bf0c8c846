import type { DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import { xpForCount } from '../../domain/progress';
import { userPaths } from '../firestore/paths';
import { readStored, readStoredIfExists, storedCompletion } from '../firestore/storedDocuments';
import { appendXpEvent, bumpDataVersion, recordOutboxEntry } from '../firestore/userWrites';
import { ledgerSumOf, overlapXpEventId } from '../firestore/xpLedger';
import { LegacyUnavailableError } from '../legacy/legacyErrors';
import type { InvalidLegacyRecord, LegacyRecord } from '../legacy/legacyRecords';
import { isAwaitingLink, type LegacyStore } from '../legacy/legacyStore';
import {
  type CurrentRecord,
  type DeliveryResult,
  type DeliveryStep,
  type DesiredRecord,
  type LastCopy,
  planDelivery,
  sameContent,
} from './deliveryPlan';
import { habitIdOfCompletion } from '../../domain/completion';
import { readDesiredRecord } from './desiredRecord';
import { type OutboxEntry, outboxEntrySchema, recordDocumentId } from './outboxEntry';
import { touchEntry } from './touchEntry';

export type DeliveryOutcome = DeliveryResult | 'awaiting_link' | 'failed';

/** Re-reads after a conflict before handing the entry back to the task queue's retries. */
const MAX_ROUNDS = 4;

function currentOf(record: LegacyRecord): CurrentRecord {
  const fields = record.fields as Record<string, unknown>;
  const editedAt = fields.CD_updatedAt;
  return {
    recordChangeTag: record.recordChangeTag,
    fields,
    editedAtMs: typeof editedAt === 'number' ? editedAt : undefined,
  };
}

/** What the record's last-copy document becomes after a step: kept, replaced or removed. */
type CopyChange = { set: LastCopy } | 'remove' | 'keep';

/**
 * Delivers one outbox entry by state: CloudKit's record is made equal to what Firestore holds for
 * it now (or removed, for a tombstone), whatever order, duplication or delay the entry's changes
 * took. Conflicts with the old app's edits go by the one conflict rule (domain/conflictRule.ts).
 * The entry is removed only if no change rewrote it since it was read. A retryable failure throws,
 * so the task queue retries with backoff; a refusal marks the entry failed for the sweep.
 */
export class OutboxDelivery {
  constructor(
    private readonly db: Firestore,
    private readonly legacy: LegacyStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async deliver(uid: string, entrySnap: DocumentSnapshot): Promise<DeliveryOutcome> {
    const entry = readStored(outboxEntrySchema, entrySnap);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const { desired, lastCopy } = await readDesiredRecord(this.db, uid, entry);
      const lookup = await this.legacy.lookup(uid, [entry.recordName]);
      if (isAwaitingLink(lookup)) return this.mark(entrySnap, 'awaiting_link');
      const found: LegacyRecord | InvalidLegacyRecord | undefined = lookup.found[0];
      if (found?.kind === 'invalid') {
        return this.mark(entrySnap, 'failed', { code: 'unreadable', message: found.reason });
      }
      const current = found && currentOf(found);
      const step = planDelivery(desired, current, lastCopy);
      await this.correctOverlap(uid, entry, desired, current, lastCopy, step);

      if (step.action === 'none') {
        const adopt =
          current &&
          desired.state === 'present' &&
          sameContent(desired.write.fields, current.fields);
        await this.settle(
          uid,
          entrySnap,
          adopt
            ? { set: { recordChangeTag: current.recordChangeTag, version: desired.version } }
            : 'keep',
        );
        return step.result;
      }
      const outcomes = await this.legacy.write(uid, [step.write]);
      if (isAwaitingLink(outcomes)) return this.mark(entrySnap, 'awaiting_link');
      const [outcome] = outcomes;
      switch (outcome?.status) {
        case 'ok': {
          const version = desired.state === 'present' ? desired.version : 0;
          const copy: CopyChange =
            step.write.op === 'delete' || outcome.recordChangeTag === undefined
              ? 'remove'
              : { set: { recordChangeTag: outcome.recordChangeTag, version } };
          await this.settle(uid, entrySnap, copy);
          return step.result;
        }
        case 'conflict':
        case 'not_found':
          // Someone wrote the record between our read and our write: read again, decide again.
          continue;
        case 'rejected':
          return this.mark(entrySnap, 'failed', { code: 'rejected', message: outcome.reason });
        default:
          await this.noteRetry(entrySnap, outcome?.status ?? 'NO_OUTCOME');
          throw new LegacyUnavailableError(
            `legacy write of ${entry.recordName} not applied: ${outcome?.reason ?? 'no outcome'}`,
            outcome?.status ?? 'NO_OUTCOME',
            outcome && 'retryAfterSeconds' in outcome ? outcome.retryAfterSeconds : undefined,
          );
      }
    }
    await this.noteRetry(entrySnap, 'CONFLICT');
    throw new LegacyUnavailableError(
      `${entry.recordName} kept changing in CloudKit during delivery`,
      'CONFLICT',
    );
  }

  /**
   * A day the old app had logged before the API logged it afresh: both ledgers award it, so the
   * count that does not stay is taken back once (the id makes it once, whoever sees it first),
   * before CloudKit's copy is replaced and the evidence with it.
   */
  private async correctOverlap(
    uid: string,
    entry: OutboxEntry,
    desired: DesiredRecord,
    current: CurrentRecord | undefined,
    lastCopy: LastCopy | undefined,
    step: DeliveryStep,
  ): Promise<void> {
    if (entry.kind !== 'completion' || !current || lastCopy || desired.state !== 'present') return;
    const legacyCreated = current.fields.CD_createdAt;
    const legacyCount = current.fields.CD_count;
    if (typeof legacyCreated !== 'number' || typeof legacyCount !== 'number') return;
    const paths = userPaths(this.db, uid);
    const ref = paths.xpEvents.doc(overlapXpEventId(entry.id));
    await this.db.runTransaction(async (tx) => {
      const [completionSnap, eventSnap, progressSnap] = await tx.getAll(
        paths.completions.doc(entry.id),
        ref,
        paths.progress,
      );
      const completion = readStoredIfExists(storedCompletion, completionSnap);
      if (!completion || eventSnap.exists) return;
      if (legacyCreated >= Date.parse(completion.createdAt)) return;
      const firestoreWins = step.action === 'write';
      const lost = xpForCount(firestoreWins ? legacyCount : completion.count);
      if (lost === 0) return;
      const now = this.clock().toISOString();
      const previous = ledgerSumOf(progressSnap);
      appendXpEvent(
        tx,
        paths,
        ref,
        previous,
        {
          reason: 'legacy-overlap',
          habitId: habitIdOfCompletion(entry.id),
          completionId: entry.id,
          delta: -lost,
        },
        now,
      );
      recordOutboxEntry(tx, paths, { kind: 'xpEvent', id: ref.id }, now);
      bumpDataVersion(tx, paths, now);
    });
  }

  /** The entry goes only if unchanged since read; the last-copy record follows the write. */
  private async settle(uid: string, entrySnap: DocumentSnapshot, copy: CopyChange): Promise<void> {
    const entry = readStored(outboxEntrySchema, entrySnap);
    const copyRef = userPaths(this.db, uid).legacyCopies.doc(recordDocumentId(entry.recordName));
    await this.db.runTransaction(async (tx) => {
      const now = await tx.get(entrySnap.ref);
      if (copy === 'remove') tx.delete(copyRef);
      else if (copy !== 'keep') {
        tx.set(copyRef, { ...copy.set, writtenAt: this.clock().toISOString() });
      }
      if (now.exists && now.updateTime?.isEqual(entrySnap.updateTime!)) tx.delete(entrySnap.ref);
    });
  }

  private async mark(
    entrySnap: DocumentSnapshot,
    status: 'awaiting_link' | 'failed',
    lastError?: { code: string; message: string },
  ): Promise<DeliveryOutcome> {
    const entry = readStored(outboxEntrySchema, entrySnap);
    await touchEntry(entrySnap, {
      status,
      updatedAt: this.clock().toISOString(),
      ...(lastError && { lastError, attempts: (entry.attempts ?? 0) + 1 }),
    });
    return status;
  }

  private async noteRetry(entrySnap: DocumentSnapshot, code: string): Promise<void> {
    const entry = readStored(outboxEntrySchema, entrySnap);
    // updatedAt stays: it dates the change, and the sweep judges staleness by it.
    await touchEntry(entrySnap, {
      attempts: (entry.attempts ?? 0) + 1,
      lastError: { code, message: 'retrying' },
    });
  }
}
