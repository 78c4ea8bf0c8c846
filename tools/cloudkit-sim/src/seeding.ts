import type { SimStore } from './store';
import type { SimUserData } from './types';

/**
 * Loads generated (or fixture) users into the store. A uid already present is left alone, so
 * seeding twice never duplicates or rewrites a user's history. Returns the uids added.
 */
export function importUsers(store: SimStore, users: readonly SimUserData[]): string[] {
  const added: string[] = [];
  for (const data of users) {
    if (store.users.has(data.uid)) continue;
    const user = store.createUser(data.uid, data.userRecordName);
    for (const record of data.records) store.write(user, record.recordName, record);
    added.push(data.uid);
  }
  return added;
}
