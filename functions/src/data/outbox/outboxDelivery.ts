import type { Firestore } from 'firebase-admin/firestore';
import { LegacyUnavailableError } from '../legacy/legacyErrors';
import { isAwaitingLink, type LegacyStore, type LegacyWrite } from '../legacy/legacyStore';
import { legacyDelete, legacyUpsert } from '../../migration/firestoreToLegacyMapper';
import type { EntityChange } from '../entityChange';
import { userPaths } from '../firestore/paths';
import { readStoredIfExists } from '../firestore/storedDocuments';
import { type OutboxEntry, outboxEntrySchema } from './outboxEntry';

export type DeliveryResult = 'delivered' | 'superseded' | 'awaiting_link' | 'gone' | 'failed';

function legacyWriteFor(change: EntityChange): LegacyWrite {
  if (change.op === 'delete') return legacyDelete(change.kind, change.id);
  return change.kind === 'habit'
    ? legacyUpsert('habit', change.entity)
    : legacyUpsert('completion', change.entity);
}

/**
 * Delivers one outbox entry to the legacy store, at least once and never backwards: the legacy
 * record's version is read first, and a change not newer than it is dropped as superseded. A
 * retryable failure throws, so the task queue retries with backoff; a refusal is parked.
 */
export class OutboxDelivery {
  constructor(
    private readonly db: Firestore,
    private readonly legacy: LegacyStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async deliver(uid: string, opId: string): Promise<DeliveryResult> {
    const ref = userPaths(this.db, uid).legacyOutbox.doc(opId);
    const entry = readStoredIfExists(outboxEntrySchema, await ref.get());
    if (!entry || entry.status === 'failed') return 'gone';
    const write = legacyWriteFor(entry.change);

    const lookup = await this.legacy.lookup(uid, [write.recordName]);
    if (isAwaitingLink(lookup)) return this.park(ref, entry, 'awaiting_link');
    const current = lookup.found[0];
    const currentVersion =
      current && (current.kind === 'habit' || current.kind === 'completion')
        ? current.fields.CD_version
        : undefined;
    if (currentVersion !== undefined && currentVersion >= entry.change.version) {
      await ref.delete();
      return 'superseded';
    }
    if (write.op === 'delete' && !current) {
      await ref.delete();
      return 'delivered';
    }
    // With the tag, a record that changes between our read and our write is a conflict, retried.
    const recordChangeTag =
      current && current.kind !== 'invalid' ? current.recordChangeTag : undefined;
    const outcomes = await this.legacy.write(uid, [{ ...write, recordChangeTag }]);
    if (isAwaitingLink(outcomes)) return this.park(ref, entry, 'awaiting_link');
    const [outcome] = outcomes;
    switch (outcome?.status) {
      case 'ok':
      case 'not_found':
        await ref.delete();
        return 'delivered';
      case 'rejected':
        await ref.update({
          status: 'failed',
          updatedAt: this.clock().toISOString(),
          lastError: { code: 'rejected', message: outcome.reason },
        });
        return 'failed';
      default:
        throw new LegacyUnavailableError(
          `legacy write of ${write.recordName} not applied: ${outcome?.reason ?? 'no outcome'}`,
          outcome?.status ?? 'NO_OUTCOME',
          outcome && 'retryAfterSeconds' in outcome ? outcome.retryAfterSeconds : undefined,
        );
    }
  }

  private async park(
    ref: FirebaseFirestore.DocumentReference,
    entry: OutboxEntry,
    status: 'awaiting_link',
  ): Promise<DeliveryResult> {
    if (entry.status !== status) {
      await ref.update({ status, updatedAt: this.clock().toISOString() });
    }
    return status;
  }
}
