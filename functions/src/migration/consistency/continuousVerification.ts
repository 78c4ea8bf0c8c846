import { FieldPath, type Firestore, type Query } from 'firebase-admin/firestore';
import type { config } from '../../config';
import { consistencyCheckOf, rollingSelection, shadowComparable } from '../../domain/consistency';
import { PreconditionError } from '../../domain/errors';
import { MIGRATED_STATUSES } from '../../domain/migrationState';
import type { LegacyStore } from '../../data/legacy/legacyStore';
import type { Flags } from '../../flags/flagDefaults';
import { logs } from '../../logs';
import type { MigrationStateStore } from '../migrationStateStore';
import { type VerificationReport, verifyMigration } from '../migrationVerifier';
import { recordConsistencyCheck } from './consistencyChecks';
import type { ConsistencyFindings } from './consistencyFindings';
import {
  type ConsistencyTotals,
  consistencyRefs,
  emptyTotals,
  totalsOf,
} from './consistencyRecords';

export interface ContinuousVerificationDeps {
  db: Firestore;
  legacy: LegacyStore;
  states: MigrationStateStore;
  flags(uid: string): Promise<Flags>;
  findings: ConsistencyFindings;
  settings: Pick<typeof config.consistency, 'usersPerRun' | 'budgetMs' | 'openPerUser'>;
}

export interface VerificationPass {
  verified: VerificationReport[];
  failed: string[];
  totals: ConsistencyTotals;
}

/** Where the rolling pass stands: the last user state it took, kept beside the totals. */
const CURSOR_FIELD = 'verificationCursor';

/**
 * Continuous verification: the record-for-record verifier (migrationVerifier.ts) over a rolling
 * sample of migrated users, each user's latest result kept and summed into the totals, what
 * differs opened as inconsistencies (and repaired), what matches again closed.
 */
export class ContinuousVerification {
  constructor(private readonly deps: ContinuousVerificationDeps) {}

  /** Verifies one migrated user now and records the result as a pass would. */
  async verifyUser(uid: string, now = new Date()): Promise<VerificationReport> {
    const { db, legacy, states, findings } = this.deps;
    const state = await states.get(uid);
    if (!MIGRATED_STATUSES.has(state.status)) {
      throw new PreconditionError(
        'not_migrated',
        `${uid} is ${state.status}: only migrated users are verified`,
      );
    }
    const open = await this.openRecordNames(uid);
    const equalAgain: string[] = [];
    const report = await verifyMigration(db, legacy, uid, undefined, (recordName, consistent) => {
      if (consistent && open.has(recordName)) equalAgain.push(recordName);
    });
    if (!report.linked) {
      // Nothing was compared: the user's previous figures stand.
      logs.consistencyNotVerified(uid, 'awaiting_link');
      return report;
    }
    const check = consistencyCheckOf(report, now.toISOString());
    await recordConsistencyCheck(db, uid, check);
    const inconsistent = report.differences.map(({ recordName, kind, fields }) => {
      logs.inconsistencyFound('verification', uid, recordName, kind, fields);
      return { recordName, kind, fields };
    });
    const flags = await this.deps.flags(uid);
    const repair = flags.consistencyRepairEnabled && shadowComparable(flags, state.status);
    const outcome = await findings.record(
      uid,
      { consistent: equalAgain, inconsistent },
      'verification',
      repair,
      now,
    );
    logs.consistencyVerified(uid, check, outcome);
    return report;
  }

  /** The next `usersPerRun` migrated users after the cursor (wrapping around), one at a time. */
  async run(now = new Date()): Promise<VerificationPass> {
    const { db, settings } = this.deps;
    const { totals } = consistencyRefs(db);
    const started = Date.now();
    const cursor = (await totals.get()).get(CURSOR_FIELD) as string | undefined;
    const users = await this.nextUsers(cursor, settings.usersPerRun);
    const pass: VerificationPass = { verified: [], failed: [], totals: emptyTotals() };
    let last: string | undefined;
    for (const path of users) {
      // Bounded in time whatever the users' sizes: the rest waits for the next run.
      if (Date.now() - started > settings.budgetMs) break;
      const uid = db.doc(path).parent.parent?.id;
      if (uid === undefined) continue;
      try {
        pass.verified.push(await this.verifyUser(uid, new Date()));
      } catch (error) {
        // One user's CloudKit outage or odd data must not stop the pass: the next one retries.
        logs.consistencyVerificationFailed(uid, error);
        pass.failed.push(uid);
      }
      last = path;
    }
    if (last !== undefined) {
      await totals.set({ [CURSOR_FIELD]: last, lastRunAt: now.toISOString() }, { merge: true });
    }
    pass.totals = totalsOf((await totals.get()).data());
    logs.consistencyVerificationRun(pass.verified.length, pass.failed.length, last);
    return pass;
  }

  private migrated(): Query {
    return this.deps.db
      .collectionGroup('meta')
      .where('dryRun', '==', false)
      .where('status', 'in', [...MIGRATED_STATUSES])
      .orderBy(FieldPath.documentId())
      .select();
  }

  /** Paths of users' migration states: after the cursor, then from the start again. */
  private async nextUsers(cursor: string | undefined, n: number): Promise<string[]> {
    const migrated = this.migrated();
    const after = cursor
      ? (await migrated.startAfter(this.deps.db.doc(cursor)).limit(n).get()).docs
      : [];
    const fromStart = after.length < n ? (await migrated.limit(n).get()).docs : [];
    const paths = (docs: typeof after) =>
      docs.filter((d) => d.id === 'migration').map((d) => d.ref.path);
    return rollingSelection(paths(after), paths(fromStart), n);
  }

  /** Records of the user's open inconsistencies (bounded: a user has few, or a bigger problem). */
  private async openRecordNames(uid: string): Promise<Set<string>> {
    const snap = await consistencyRefs(this.deps.db)
      .open.where('uid', '==', uid)
      .select('recordName')
      .limit(this.deps.settings.openPerUser)
      .get();
    return new Set(snap.docs.map((d) => d.get('recordName') as string));
  }
}
