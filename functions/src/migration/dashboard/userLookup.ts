import type { Firestore } from 'firebase-admin/firestore';
import { userPaths } from '../../data/firestore/paths';
import { readStoredIfExists } from '../../data/firestore/storedDocuments';
import { NotFoundError } from '../../domain/errors';
import { emptyCounts, migrationStateSchema } from '../../domain/migrationState';

/**
 * One user as an operator looks them up: the run, its counts and last error, how far their
 * CloudKit feed is followed, and their latest continuous verification. Three reads.
 * A uid with neither a migration state nor a CloudKit link is one the backend has never had
 * to migrate (most likely a typo): not found, rather than an empty answer an operator might trust.
 */
export async function lookUpUser(db: Firestore, uid: string) {
  const paths = userPaths(db, uid);
  const [stateSnap, link, consistencySnap] = await Promise.all([
    paths.migration.get(),
    legacyLink(db, uid).get(),
    paths.consistency.get(),
  ]);
  if (!stateSnap.exists && !link.exists) throw new NotFoundError('user', uid);
  const state = readStoredIfExists(migrationStateSchema, stateSnap) ?? null;
  const catchUp = state?.catchUp;
  const lastError = state?.lastError ?? catchUp?.lastError ?? null;
  return {
    uid,
    state,
    counts: { ...emptyCounts(), ...state?.counts },
    lastError: lastError && `${lastError.code}: ${lastError.message}`,
    catchUp: {
      following: catchUp?.following === true,
      lastCaughtUpAt: catchUp?.caughtUpAt ?? null,
      lagMs: catchUp?.lagMs ?? null,
    },
    consistency: consistencySnap.exists ? (consistencySnap.data() ?? null) : null,
  };
}

/** Whether the backend knows the user: a migration state, or a CloudKit link. Two reads. */
export async function knownUser(db: Firestore, uid: string): Promise<boolean> {
  const [state, link] = await Promise.all([
    userPaths(db, uid).migration.get(),
    legacyLink(db, uid).get(),
  ]);
  return state.exists || link.exists;
}

/** legacyLinks/{uid}: the user's CloudKit token (data/legacy/firestoreWebAuthTokenStore.ts). */
const legacyLink = (db: Firestore, uid: string) => db.collection('legacyLinks').doc(uid);
