import type {
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  Transaction,
} from 'firebase-admin/firestore';
import { type MigrationState, migrationStateSchema, NOT_STARTED } from '../domain/migrationState';
import { userPaths } from '../data/firestore/paths';
import { readStoredIfExists } from '../data/firestore/storedDocuments';
import { config } from '../config';
import { statsDelta } from '../domain/migrationStats';
import { addStatsDelta, STATS_WRITES_PER_STATE_WRITE } from './migrationStatsCounters';

/** Writes `write` adds to a transaction: the state, and at most one statistics shard. */
export const STATE_WRITES_PER_TRANSACTION = 1 + STATS_WRITES_PER_STATE_WRITE;

/**
 * Reads and writes users/{uid}/meta/migration (or, for a dry run, meta/migrationDryRun). Every
 * write of a state goes through here, and adds the change it makes to the migration statistics'
 * counters in the same commit (migrationStatsCounters): the counters move once per committed
 * change, whoever commits it and however often a task is delivered.
 */
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
    return this.parse(await tx.get(this.ref(uid, dryRun)));
  }

  /** The state in a snapshot of `ref(uid, dryRun)`, read together with other documents. */
  parse(snap: DocumentSnapshot): MigrationState {
    return readStoredIfExists(migrationStateSchema, snap) ?? NOT_STARTED;
  }

  /**
   * `before` is what `read` returned in this same transaction: the transaction guarantees it is
   * still the stored state at commit, so the counters' delta is exactly this change.
   */
  write(
    tx: Transaction,
    uid: string,
    dryRun: boolean,
    before: MigrationState,
    state: MigrationState,
  ): void {
    // Marked, so that statistics over every user's state can leave dry runs out.
    const after = { ...state, dryRun };
    tx.set(this.ref(uid, dryRun), after);
    addStatsDelta(tx, this.db, statsDelta(before, after));
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
        const before = await this.read(tx, uid, dryRun);
        const { write, result } = decide(before);
        if (write) this.write(tx, uid, dryRun, before, write);
        return result;
      },
      { maxAttempts: config.transactionMaxAttempts },
    );
  }
}
