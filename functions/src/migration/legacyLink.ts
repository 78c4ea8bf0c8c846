import { LegacyStoreError } from '../data/legacy/legacyErrors';
import { isAwaitingLink, type LegacyStore } from '../data/legacy/legacyStore';
import type { WebAuthTokenStore } from '../data/legacy/webAuthTokens';
import { catchUpRefusal } from '../domain/catchUp';
import { config } from '../config';
import { logs } from '../logs';
import type { BackfillRequests } from './backfillRequests';
import type { MigrationStateStore } from './migrationStateStore';

export interface LegacyLinkDependencies {
  tokens: WebAuthTokenStore;
  legacy: LegacyStore;
  /** Puts the user's parked legacy writes back to pending; how many. */
  requeueWrites: (uid: string) => Promise<number>;
  states: MigrationStateStore;
  backfills: BackfillRequests;
  /** Asks for a catch-up of the user's CloudKit change feed. */
  catchUp: (uid: string) => Promise<void>;
}

/**
 * The app hands over a fresh CloudKit web auth token: it replaces whatever was held, is proven
 * with one small read, and what waited for it (parked writes, a parked backfill) goes on. CloudKit
 * being down is no reason to refuse the link: the token is kept for later.
 */
export async function linkLegacyAccount(
  deps: LegacyLinkDependencies,
  uid: string,
  webAuthToken: string,
): Promise<'linked' | 'refused'> {
  const previous = await deps.tokens.get(uid);
  await deps.tokens.link(uid, webAuthToken);
  try {
    const probe = await deps.legacy.readChanges(uid, null, 1, {
      deadline: Date.now() + config.legacyLinkProbeDeadlineMs,
    });
    if (isAwaitingLink(probe)) {
      // A refused input changes nothing: the token held before (still good, perhaps) comes back.
      if (previous !== undefined) await deps.tokens.restore(uid, webAuthToken, previous);
      return 'refused';
    }
  } catch (error) {
    if (!(error instanceof LegacyStoreError) || !error.retryable) throw error;
    logs.legacyLinkUnverified(uid, error.code);
  }
  const requeued = await deps.requeueWrites(uid);
  const state = await deps.states.get(uid);
  if (state.status === 'awaiting_link') {
    await deps.backfills.request(uid, { force: false, dryRun: false });
  } else if (catchUpRefusal(state) === undefined) {
    // The app is open: whatever an old device wrote meanwhile comes over now.
    await deps.catchUp(uid);
  }
  logs.legacyLinked(uid, requeued);
  return 'linked';
}
