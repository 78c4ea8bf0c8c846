import type { DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import { userPaths } from '../data/firestore/paths';
import { recordDocumentId } from '../data/outbox/outboxEntry';
import { readStored, storedCompletion, storedHabit } from '../data/firestore/storedDocuments';
import { isAwaitingLink, type LegacyStore } from '../data/legacy/legacyStore';
import { legacyXpEventId, migrationErrorId } from './backfillBatchWriter';
import type { Deletion } from './backfillConflicts';
import { deletionsSince } from '../domain/catchUp';
import { config } from '../config';
import { MigrationStateStore } from './migrationStateStore';
import { type MappedEntry, mapLegacyEntry } from '../data/legacy/mapping/legacyToFirestoreMapper';
import {
  isConsistent,
  PRESENCE,
  type RecordVerdict,
  verdictOfLegacyDeletion,
  verdictOfRecord,
} from './consistency/recordVerdict';

export interface RecordDifference {
  recordName: string;
  /** The kind of record (`habit`, `completion`, `xpEvent`, `streak`, `unreadable`, `xpTotal`). */
  kind: string;
  /** Names of the fields that differ (never values: see recordVerdict.ts). */
  fields: string[];
  problem: string;
}

/** Told of each legacy record's outcome as it is compared: whether the two stores agree on it. */
export type RecordListener = (recordName: string, consistent: boolean) => void;

export interface VerificationReport {
  uid: string;
  /** Legacy records (and deletions) read. */
  legacyRecords: number;
  /** In Firestore exactly as the legacy store has them (or quarantined, for unreadable ones). */
  matched: number;
  /** Firestore holds a newer version (edited through the API since): correct, not a difference. */
  newerInFirestore: number;
  /** Deleted through the API (tombstoned): correct, not a difference. */
  deletedInFirestore: number;
  differences: RecordDifference[];
  /** Habits and completions in Firestore that no legacy record accounts for (API-created, or duplicates). */
  onlyInFirestore: { habits: number; completions: number };
  xp: { legacy: number; migrated: number };
  /** False when the user has no CloudKit link: nothing could be compared. */
  linked: boolean;
}

const MAX_LISTED = config.verification.maxListed;
/** The opening balance against the legacy ledger's sum: reported as if it were a record. */
const XP_TOTAL = '(XP total)';

/**
 * Compares a user's legacy records with Firestore record for record, a page at a time (memory
 * stays bounded whatever the user's size). The rules are the backfill's: a newer Firestore version
 * or a tombstone is expected, anything else that differs is reported.
 */
export async function verifyMigration(
  db: Firestore,
  legacy: LegacyStore,
  uid: string,
  pageSize = config.verification.pageSize,
  onRecord: RecordListener = () => {},
): Promise<VerificationReport> {
  const paths = userPaths(db, uid);
  const report: VerificationReport = {
    uid,
    legacyRecords: 0,
    matched: 0,
    newerInFirestore: 0,
    deletedInFirestore: 0,
    differences: [],
    onlyInFirestore: { habits: 0, completions: 0 },
    xp: { legacy: 0, migrated: 0 },
    linked: true,
  };
  const differ = (recordName: string, kind: string, fields: string[], problem: string) => {
    if (report.differences.length < MAX_LISTED) {
      report.differences.push({ recordName, kind, fields, problem });
    }
  };
  /** The shared rule's outcome (recordVerdict.ts), counted; false for a difference. */
  const count = (recordName: string, kind: string, verdict: RecordVerdict) => {
    if (verdict.verdict === 'differs') differ(recordName, kind, verdict.fields, verdict.problem);
    else report[verdict.verdict] += 1;
    return isConsistent(verdict);
  };
  // The backfill and the catch-up keep copies written through the API since the feed was last
  // read to its end (or the run started): so does the check.
  const since = deletionsSince(await new MigrationStateStore(db).get(uid));
  let present = { habits: 0, completions: 0 };
  let cursor: string | null = null;
  for (;;) {
    const page = await legacy.readChanges(uid, cursor, pageSize);
    if (isAwaitingLink(page)) return { ...report, linked: false };
    const entries = page.entries.map((entry) => ({ entry, mapped: mapLegacyEntry(entry) }));
    const refs = entries.flatMap(({ mapped }) => refsFor(paths, mapped));
    const docs = refs.length > 0 ? await db.getAll(...refs) : [];
    const byPath = new Map(docs.map((d) => [d.ref.path, d]));
    const snap = (ref: { path: string }) => byPath.get(ref.path) as DocumentSnapshot;

    for (const { entry, mapped } of entries) {
      report.legacyRecords += 1;
      const name = entry.recordName;
      const consistent = ((): boolean => {
        switch (mapped.kind) {
          case 'habit':
          case 'completion': {
            const collection = mapped.kind === 'habit' ? paths.habits : paths.completions;
            const doc = snap(collection.doc(mapped.id));
            const ownTomb = snap(paths.tombstones.doc(mapped.id));
            const habitTomb =
              mapped.kind === 'completion' ? snap(paths.tombstones.doc(mapped.habitId)) : undefined;
            const deletion: Deletion | undefined = habitTomb?.exists
              ? { deletedAt: habitTomb.get('deletedAt') as string, final: true }
              : ownTomb.exists
                ? { deletedAt: ownTomb.get('deletedAt') as string, final: false }
                : undefined;
            if (doc.exists) {
              present = {
                ...present,
                [collection.id]: present[collection.id as 'habits' | 'completions'] + 1,
              };
            }
            const verdict =
              mapped.kind === 'habit'
                ? verdictOfRecord(
                    mapped.habit,
                    doc.exists ? readStored(storedHabit, doc) : undefined,
                    deletion,
                    collection.id,
                  )
                : verdictOfRecord(
                    mapped.completion,
                    doc.exists ? readStored(storedCompletion, doc) : undefined,
                    deletion,
                    collection.id,
                  );
            return count(name, mapped.kind, verdict);
          }
          case 'xpEvent': {
            // Events this backend wrote to CloudKit are its own ledger's, not the opening balance.
            if (snap(paths.xpEvents.doc(mapped.id)).exists) {
              report.matched += 1;
              return true;
            }
            report.xp.legacy += mapped.amount;
            const doc = snap(paths.xpEvents.doc(legacyXpEventId(mapped.id)));
            if (!doc.exists) differ(name, 'xpEvent', [PRESENCE], 'XP event not migrated');
            else if (doc.get('delta') !== mapped.amount) {
              differ(
                name,
                'xpEvent',
                ['delta'],
                `XP ${String(doc.get('delta'))} instead of ${mapped.amount}`,
              );
            } else {
              report.matched += 1;
              return true;
            }
            return false;
          }
          case 'streak': {
            const doc = snap(paths.streaks.doc(mapped.habitId));
            if (snap(paths.tombstones.doc(mapped.habitId)).exists) {
              report.deletedInFirestore += 1;
              return true;
            }
            if (!doc.exists) differ(name, 'streak', [PRESENCE], 'streak missing');
            else if ((doc.get('longest') as number) < mapped.streak.longest) {
              differ(
                name,
                'streak',
                ['longest'],
                `longest ${String(doc.get('longest'))} < legacy ${mapped.streak.longest}`,
              );
            } else {
              report.matched += 1;
              return true;
            }
            return false;
          }
          case 'failure':
            if (snap(paths.migrationErrors.doc(migrationErrorId(name))).exists) {
              report.matched += 1;
              return true;
            }
            differ(
              name,
              'unreadable',
              [PRESENCE],
              `unreadable (${mapped.reason}) but not in migrationErrors`,
            );
            return false;
          case 'deleted': {
            const ref = deletedRef(paths, mapped);
            const doc = ref && snap(ref);
            const undelivered = Boolean(
              ref && snap(paths.legacyOutbox.doc(recordDocumentId(name))).exists,
            );
            const existing = doc?.exists
              ? { updatedAt: doc.get('updatedAt') as string }
              : undefined;
            const verdict = verdictOfLegacyDeletion(existing, since, undelivered);
            return count(name, mapped.target?.kind ?? 'unknown', verdict);
          }
        }
      })();
      onRecord(name, consistent);
    }
    if (!page.moreComing) break;
    cursor = page.cursor;
  }

  const [habits, completions, progress] = await Promise.all([
    paths.habits.count().get(),
    paths.completions.count().get(),
    paths.progress.get(),
  ]);
  report.onlyInFirestore = {
    habits: habits.data().count - present.habits,
    completions: completions.data().count - present.completions,
  };
  report.xp.migrated = (progress.get('legacyXp') as number | undefined) ?? 0;
  onRecord(XP_TOTAL, report.xp.migrated === report.xp.legacy);
  if (report.xp.migrated !== report.xp.legacy) {
    differ(
      XP_TOTAL,
      'xpTotal',
      ['legacyXp'],
      `opening balance ${report.xp.migrated}, legacy events ${report.xp.legacy}`,
    );
  }
  return report;
}

function refsFor(paths: ReturnType<typeof userPaths>, mapped: MappedEntry) {
  switch (mapped.kind) {
    case 'habit':
      return [paths.habits.doc(mapped.id), paths.tombstones.doc(mapped.id)];
    case 'completion':
      return [
        paths.completions.doc(mapped.id),
        paths.tombstones.doc(mapped.id),
        paths.tombstones.doc(mapped.habitId),
      ];
    case 'xpEvent':
      return [paths.xpEvents.doc(legacyXpEventId(mapped.id)), paths.xpEvents.doc(mapped.id)];
    case 'streak':
      return [paths.streaks.doc(mapped.habitId), paths.tombstones.doc(mapped.habitId)];
    case 'failure':
      return [paths.migrationErrors.doc(migrationErrorId(mapped.recordName))];
    case 'deleted': {
      const ref = deletedRef(paths, mapped);
      return ref ? [ref, paths.legacyOutbox.doc(recordDocumentId(mapped.recordName))] : [];
    }
  }
}

function deletedRef(
  paths: ReturnType<typeof userPaths>,
  mapped: Extract<MappedEntry, { kind: 'deleted' }>,
) {
  if (mapped.target?.kind === 'habit') return paths.habits.doc(mapped.target.id);
  if (mapped.target?.kind === 'completion') return paths.completions.doc(mapped.target.id);
  return undefined;
}
