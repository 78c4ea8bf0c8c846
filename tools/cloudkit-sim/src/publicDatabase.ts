import { CkError, badRequest } from './ckErrors';
import { decodeMarker, encodeMarker } from './cursors';
import { isObject } from './httpIo';
import { optionalObject, optionalString, resultsLimit } from './requestFields';
import { compare, type SimStore, type SimUser } from './store';
import type { CkRecord } from './types';

export const APP_USER_TYPE = 'AppUser';

/** The registration the app writes for each user: how the backend learns whom to migrate. */
export function appUserRecord(user: SimUser): CkRecord {
  const stamp = {
    timestamp: user.registeredAt,
    userRecordName: user.userRecordName,
    deviceID: 'cloudkit-sim',
  };
  return {
    recordName: `AppUser_${user.uid}`,
    recordType: APP_USER_TYPE,
    recordChangeTag: `u${user.epoch}`,
    fields: {
      firebaseUid: { value: user.uid, type: 'STRING' },
      userRecordName: { value: user.userRecordName, type: 'STRING' },
    },
    created: stamp,
    modified: stamp,
  };
}

/** Public records/query: AppUser records only, in _defaultZone, paged by firebaseUid. */
export function publicQuery(store: SimStore, body: Record<string, unknown>): unknown {
  const zoneName = isObject(body.zoneID) ? body.zoneID.zoneName : '_defaultZone';
  if (zoneName !== '_defaultZone') {
    throw new CkError('ZONE_NOT_FOUND', 'the public database has only _defaultZone');
  }
  const q = optionalObject(body, 'query');
  const recordType = q ? optionalString(q, 'recordType') : undefined;
  if (recordType !== APP_USER_TYPE) {
    throw badRequest(`Did not find record type: ${String(recordType)}`);
  }
  const limit = resultsLimit(body);
  const marker = optionalString(body, 'continuationMarker');
  const after = marker === undefined ? undefined : decodeMarker(marker);
  const users = store.sortedUsers().filter((u) => after === undefined || compare(u.uid, after) > 0);
  const page = users.slice(0, limit);
  return {
    records: page.map(appUserRecord),
    ...(users.length > limit && { continuationMarker: encodeMarker(page[page.length - 1].uid) }),
  };
}
