import type { Firestore } from 'firebase-admin/firestore';
import { type MigrationState, migrationStateSchema, NOT_STARTED } from '../domain/migrationState';
import { userPaths } from '../data/firestore/paths';
import { readStoredIfExists } from '../data/firestore/storedDocuments';

/** Reads and (with the backfill) writes users/{uid}/meta/migration. */
export class MigrationStateStore {
  constructor(private readonly db: Firestore) {}

  async get(uid: string): Promise<MigrationState> {
    const snap = await userPaths(this.db, uid).migration.get();
    return readStoredIfExists(migrationStateSchema, snap) ?? NOT_STARTED;
  }
}
