import type { Firestore } from 'firebase-admin/firestore';
import { telemetryTargets } from '../../telemetry/telemetryEvents';

/**
 * What the two consistency checks keep (docs/operations.md, "Consistency"):
 * - `ops/consistency`: continuous verification's totals over each verified user's latest check,
 *   so a user verified again replaces their earlier figures instead of adding to them;
 * - `ops/consistency/open/{uid}~{recordName}`: records found different in the two stores (by
 *   a shadow comparison or a verification) and not yet found equal again. A repair closes one
 *   only when a later comparison finds the record equal.
 */
export interface ConsistencyTotals {
  /** Legacy records compared, over each verified user's latest check. */
  records: number;
  /** Of those, equal in both stores (or legitimately newer in Firestore, or deleted there). */
  consistent: number;
  mismatches: number;
  /** Mismatches sent back through delivery and catch-up since the totals began. */
  repaired: number;
  usersVerified: number;
  lastRunAt: string | null;
}

export type InconsistencyFinder = 'shadow' | 'verification';

export interface OpenInconsistency {
  uid: string;
  recordName: string;
  kind: string;
  /** Names of the fields that differ: never their values (user content stays out of ops data). */
  fields: string[];
  foundBy: InconsistencyFinder;
  foundAt: string;
  repairRequestedAt?: string;
}

export const consistencyRefs = (db: Firestore) => ({
  totals: db.doc('ops/consistency'),
  open: db.collection('ops/consistency/open'),
});

export const openInconsistencyId = (uid: string, recordName: string) => `${uid}~${recordName}`;

export const emptyTotals = (): ConsistencyTotals => ({
  records: 0,
  consistent: 0,
  mismatches: 0,
  repaired: 0,
  usersVerified: 0,
  lastRunAt: null,
});

/**
 * The totals a stored `ops/consistency` holds. The document keeps continuous verification's
 * cursor too, which is not a figure: only the totals' own fields are taken.
 */
export function totalsOf(stored: Record<string, unknown> | undefined): ConsistencyTotals {
  return Object.fromEntries(
    Object.entries(emptyTotals()).map(([key, empty]) => [key, stored?.[key] ?? empty]),
  ) as unknown as ConsistencyTotals;
}

/** The figures gates and the dashboard read: two reads, whatever the number of users. */
export async function consistencySummary(db: Firestore) {
  const refs = consistencyRefs(db);
  const [totalsSnap, open] = await Promise.all([refs.totals.get(), refs.open.count().get()]);
  const totals = totalsOf(totalsSnap.data());
  const rate = totals.records === 0 ? null : totals.consistent / totals.records;
  return {
    verification: { ...totals, rate, target: telemetryTargets.consistency },
    openInconsistencies: open.data().count,
  };
}

export type ConsistencySummary = Awaited<ReturnType<typeof consistencySummary>>;
