import type { DocumentReference, Firestore, Transaction } from 'firebase-admin/firestore';
import { type MigrationState, migrationStateSchema, NOT_STARTED } from '../domain/migrationState';
import { userPaths } from '../data/firestore/paths';
import { readStoredIfExists } from '../data/firestore/storedDocuments';
import { config } from '../config';

/** Reads and writes users/{uid}/meta/migration (or, for a dry run, meta/migrationDryRun). */
export class MigrationStateStore {
  constructor(private readonly db: Firestore) {}

  ref(uid: string, dryRun = false): DocumentReference {
    const paths = userPaths(this.db, uid);
    return dryRun ? paths.migrationDryRun : paths.migration;
  }

  async get(uid: string, dryRun = false): Promise<MigrationState> {
    return (
      readStoredIfExists(migrationStateSchema, await this.ref(uid, dryRun).get()) ?? NOT_STARTED
    );
  }

  async read(tx: Transaction, uid: string, dryRun: boolean): Promise<MigrationState> {
    return (
      readStoredIfExists(migrationStateSchema, await tx.get(this.ref(uid, dryRun))) ?? NOT_STARTED
    );
  }

  write(tx: Transaction, uid: string, dryRun: boolean, state: MigrationState): void {
    // Marked, so that statistics over every user's state can leave dry runs out.
    tx.set(this.ref(uid, dryRun), { ...state, dryRun });
  }

  /**
   * One read-decide-write of the state in a transaction. `decide` may run more than once (the
   * transaction retries on contention), so it must only compute.
   */
  async update<T>(
    uid: string,
    dryRun: boolean,
    decide: (state: MigrationState) => { write?: MigrationState; result: T },
  ): Promise<T> {
    return this.db.runTransaction(
      async (tx) => {
        const { write, result } = decide(await this.read(tx, uid, dryRun));
        if (write) this.write(tx, uid, dryRun, write);
        return result;
      },
      { maxAttempts: config.transactionMaxAttempts },
    );
  }
}
