import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { config } from '../../config';
import { documentIdOf, invalidDocumentIdReason } from '../../domain/documentIds';
import type { EntityChange } from '../../data/entityChange';
import { userPaths } from '../../data/firestore/paths';
import { recordOutboxEntry } from '../../data/firestore/userWrites';
import { parseLegacyRecordName } from '../../data/legacy/mapping/recordNames';
import { logs } from '../../logs';
import {
  consistencyRefs,
  type InconsistencyFinder,
  type OpenInconsistency,
  openInconsistencyId,
} from './consistencyRecords';

/** A record found different in the two stores: which, and the names of the fields that differ. */
export interface Finding {
  recordName: string;
  kind: string;
  fields: string[];
}

export interface Findings {
  /** Records a comparison found equal: their open inconsistencies, if any, close. */
  consistent: readonly string[];
  inconsistent: readonly Finding[];
}

export interface FindingsOutcome {
  opened: number;
  closed: number;
  /** Records sent back through delivery (their outbox entries rewritten) by this call. */
  repairRequested: number;
}

type Item = { consistent: true; recordName: string } | ({ consistent: false } & Finding);

/** Habits and completions are repaired by delivery; other kinds are left to the operator. */
function repairableChange(recordName: string): EntityChange | undefined {
  const ref = parseLegacyRecordName(recordName);
  return ref && (ref.kind === 'habit' || ref.kind === 'completion') ? ref : undefined;
}

/**
 * Keeps ops/consistency/open in step with what the comparisons find, and repairs through the
 * convergence machinery: a differing habit or completion gets an outbox entry (so delivery makes
 * CloudKit equal to Firestore by the conflict rule, conditional on the change tag it reads), and
 * the user a catch-up (so a CloudKit copy that should win comes over by the same rule). An open
 * inconsistency closes only when a later comparison finds the record equal, never on a repair.
 */
export class ConsistencyFindings {
  constructor(
    private readonly db: Firestore,
    private readonly requestCatchUp: (uid: string) => Promise<void>,
  ) {}

  async record(
    uid: string,
    findings: Findings,
    foundBy: InconsistencyFinder,
    repair: boolean,
    now = new Date(),
  ): Promise<FindingsOutcome> {
    const items: Item[] = [
      ...findings.consistent.map((recordName) => ({ consistent: true as const, recordName })),
      ...findings.inconsistent.map((finding) => ({ consistent: false as const, ...finding })),
    ].filter((item) => !invalidDocumentIdReason(this.openId(uid, item.recordName)));
    const outcome: FindingsOutcome = { opened: 0, closed: 0, repairRequested: 0 };
    const size = config.consistency.findingsPerCommit;
    for (let i = 0; i < items.length; i += size) {
      const part = await this.commit(uid, items.slice(i, i + size), foundBy, repair, now);
      outcome.opened += part.opened;
      outcome.closed += part.closed;
      outcome.repairRequested += part.repairRequested;
    }
    if (outcome.repairRequested > 0) {
      // The outbox entries are committed; the catch-up only brings over a CloudKit copy that
      // should win, which the schedule's next catch-up of the user does too if this one is lost.
      await this.requestCatchUp(uid).catch((error) => logs.consistencyCatchUpNotQueued(uid, error));
    }
    return outcome;
  }

  private openId(uid: string, recordName: string): string {
    return openInconsistencyId(uid, documentIdOf(recordName));
  }

  /** One transaction (transactionWrites.consistencyFindings): open, update, close, repair. */
  private commit(
    uid: string,
    items: Item[],
    foundBy: InconsistencyFinder,
    repair: boolean,
    now: Date,
  ): Promise<FindingsOutcome> {
    const { open, totals } = consistencyRefs(this.db);
    const paths = userPaths(this.db, uid);
    const at = now.toISOString();
    return this.db.runTransaction(async (tx) => {
      const outcome: FindingsOutcome = { opened: 0, closed: 0, repairRequested: 0 };
      const refs = items.map((item) => open.doc(this.openId(uid, item.recordName)));
      const snaps = await tx.getAll(...refs);
      let newlyRepaired = 0;
      items.forEach((item, i) => {
        const snap = snaps[i];
        if (item.consistent) {
          if (snap.exists) {
            tx.delete(refs[i]);
            outcome.closed += 1;
          }
          return;
        }
        const earlier = snap.exists ? (snap.data() as OpenInconsistency) : undefined;
        const change = repair ? repairableChange(item.recordName) : undefined;
        if (change) {
          recordOutboxEntry(tx, paths, change, at);
          outcome.repairRequested += 1;
          // Counted once per open inconsistency, however often it is found and sent back again.
          if (earlier?.repairRequestedAt === undefined) newlyRepaired += 1;
        }
        const repairRequestedAt = change ? at : earlier?.repairRequestedAt;
        const doc: OpenInconsistency = {
          uid,
          recordName: item.recordName,
          kind: item.kind,
          fields: item.fields,
          foundBy,
          foundAt: earlier?.foundAt ?? at,
          ...(repairRequestedAt !== undefined && { repairRequestedAt }),
        };
        tx.set(refs[i], doc);
        if (!earlier) outcome.opened += 1;
      });
      if (newlyRepaired > 0) {
        tx.set(totals, { repaired: FieldValue.increment(newlyRepaired) }, { merge: true });
      }
      return outcome;
    });
  }
}
