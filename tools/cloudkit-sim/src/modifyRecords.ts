import { badRequest, ckErrorBody } from './ckErrors';
import { planOperation, type Outcome } from './modifyOperation';
import { optionalBoolean, requiredArray } from './requestFields';
import type { SimStore, SimUser } from './store';
import type { CkRecord } from './types';

const MAX_OPERATIONS = 200;

/**
 * records/modify. Operations run in order and see each other's effects. Atomic (CloudKit's
 * default in custom zones): plan everything first, apply only if all succeed, otherwise report
 * ATOMIC_ERROR for every operation that did not fail itself. Non-atomic: apply one by one.
 */
export function modifyRecords(
  store: SimStore,
  user: SimUser,
  body: Record<string, unknown>,
  present: (record: CkRecord) => CkRecord,
): { records: unknown[] } {
  const operations = requiredArray(body, 'operations');
  if (operations.length > MAX_OPERATIONS) {
    throw badRequest(`at most ${MAX_OPERATIONS} operations per request, got ${operations.length}`);
  }
  const atomic = optionalBoolean(body, 'atomic') ?? true;
  const ctx = { userRecordName: user.userRecordName, now: Date.now() };

  if (!atomic) {
    const outcomes = operations.map((op) => {
      const outcome = planOperation(op, current(store, user, op, undefined), ctx);
      if (outcome.ok) store.write(user, outcome.recordName, outcome.next);
      return outcome;
    });
    return { records: outcomes.map((o) => entryFor(o, present)) };
  }

  const staged = new Map<string, CkRecord | undefined>();
  const outcomes = operations.map((op) => {
    const outcome = planOperation(op, current(store, user, op, staged), ctx);
    if (outcome.ok) staged.set(outcome.recordName, outcome.next);
    return outcome;
  });
  if (outcomes.every((o) => o.ok)) {
    for (const o of outcomes) if (o.ok) store.write(user, o.recordName, o.next);
    return { records: outcomes.map((o) => entryFor(o, present)) };
  }
  return {
    records: outcomes.map((o) =>
      o.ok
        ? {
            recordName: o.recordName,
            ...ckErrorBody('ATOMIC_ERROR', 'another operation of this atomic request failed'),
          }
        : entryFor(o, present),
    ),
  };
}

function current(
  store: SimStore,
  user: SimUser,
  op: unknown,
  staged: Map<string, CkRecord | undefined> | undefined,
): CkRecord | undefined {
  const name = (op as { record?: { recordName?: unknown } } | null)?.record?.recordName;
  if (typeof name !== 'string') return undefined;
  if (staged?.has(name)) return staged.get(name);
  return store.liveRecord(user, name);
}

function entryFor(outcome: Outcome, present: (record: CkRecord) => CkRecord): unknown {
  if (!outcome.ok) {
    return { recordName: outcome.recordName, ...ckErrorBody(outcome.code, outcome.reason) };
  }
  return outcome.next ? present(outcome.next) : { recordName: outcome.recordName, deleted: true };
}
