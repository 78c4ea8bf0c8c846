import { randomUUID } from 'node:crypto';
import { badRequest } from './ckErrors';
import { decodeMarker, decodeSyncToken, encodeMarker, encodeSyncToken } from './cursors';
import { isObject } from './httpIo';
import { modifyRecords } from './modifyRecords';
import { optionalObject, optionalString, requiredArray, resultsLimit } from './requestFields';
import { compare, type SimStore, type SimUser } from './store';
import type { CkRecord } from './types';
import { requireCoreDataZone, zoneIdOf } from './zones';

export interface PrivateContext {
  store: SimStore;
  user: SimUser;
  body: Record<string, unknown>;
  present: (record: CkRecord) => CkRecord;
}

type Handler = (ctx: PrivateContext) => unknown;

/** Operations of a user's private database, keyed by `{method} {path after the database}`. */
export const PRIVATE_OPERATIONS: Record<string, Handler> = {
  'GET zones/list': ({ user }) => ({ zones: [{ zoneID: zoneIdOf(user) }] }),
  'POST records/changes': changes,
  'POST records/lookup': lookup,
  'POST records/modify': (ctx) => {
    requireCoreDataZone(ctx.body);
    return modifyRecords(ctx.store, ctx.user, ctx.body, ctx.present);
  },
  'POST records/query': query,
};

function changes({ store, user, body, present }: PrivateContext): unknown {
  requireCoreDataZone(body);
  const limit = resultsLimit(body);
  const token = optionalString(body, 'syncToken');
  const after = token === undefined ? 0 : decodeSyncToken(user, token);
  // One extra tells whether more are coming without a second pass.
  const page = store.changesAfter(user, after, limit + 1);
  const moreComing = page.length > limit;
  const served = page.slice(0, limit);
  const last = moreComing ? served[served.length - 1].seq : user.seq;
  return {
    records: served.map((c) =>
      c.record ? present(c.record) : { recordName: c.recordName, deleted: true },
    ),
    syncToken: encodeSyncToken(user, last),
    moreComing,
  };
}

function lookup({ store, user, body, present }: PrivateContext): unknown {
  requireCoreDataZone(body);
  const wanted = requiredArray(body, 'records');
  if (wanted.length > 200) throw badRequest('at most 200 records per lookup');
  return {
    records: wanted.map((item) => {
      const name = isObject(item) ? item.recordName : undefined;
      if (typeof name !== 'string') throw badRequest('each lookup entry needs a recordName');
      const record = store.liveRecord(user, name);
      return record
        ? present(record)
        : {
            recordName: name,
            reason: 'record not found',
            serverErrorCode: 'NOT_FOUND',
            uuid: randomUUID(),
          };
    }),
  };
}

function query({ store, user, body, present }: PrivateContext): unknown {
  requireCoreDataZone(body);
  const q = optionalObject(body, 'query');
  const recordType = q ? optionalString(q, 'recordType') : undefined;
  if (!q || !recordType) throw badRequest('query.recordType is required');
  const filters = readEqualsFilters(q.filterBy);
  const limit = resultsLimit(body);
  const marker = optionalString(body, 'continuationMarker');
  const after = marker === undefined ? undefined : decodeMarker(marker);
  const matches = store
    .liveRecords(user)
    .filter((r) => r.recordType === recordType)
    .filter((r) => filters.every((f) => r.fields?.[f.fieldName]?.value === f.value))
    .filter((r) => after === undefined || compare(r.recordName, after) > 0)
    .sort((a, b) => compare(a.recordName, b.recordName));
  const page = matches.slice(0, limit);
  return {
    records: page.map(present),
    ...(matches.length > limit && {
      continuationMarker: encodeMarker(page[page.length - 1].recordName),
    }),
  };
}

/** Only EQUALS is simulated; anything else is refused so no caller relies on an ignored filter. */
function readEqualsFilters(filterBy: unknown): Array<{ fieldName: string; value: unknown }> {
  if (filterBy === undefined || filterBy === null) return [];
  if (!Array.isArray(filterBy)) throw badRequest('query.filterBy must be an array');
  return filterBy.map((f) => {
    const value = isObject(f) && isObject(f.fieldValue) ? f.fieldValue.value : undefined;
    if (!isObject(f) || f.comparator !== 'EQUALS' || typeof f.fieldName !== 'string') {
      throw badRequest('the simulator supports only EQUALS filters with fieldName and fieldValue');
    }
    return { fieldName: f.fieldName, value };
  });
}
