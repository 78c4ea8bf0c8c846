import { z } from 'zod';
import { isAwaitingLink } from '../data/legacy/legacyStore';
import { LegacyStoreError } from '../data/legacy/legacyErrors';
import { logs } from '../logs';
import { callable } from './callable';
import * as deps from './dependencies';
import { HttpsError } from 'firebase-functions/v2/https';

const linkSchema = z.strictObject({
  /** From CKFetchWebAuthTokenOperation on the device. */
  webAuthToken: z.string().trim().min(1).max(4096),
});

export const legacyApi = {
  /**
   * The app hands over a fresh CloudKit web auth token. It is stored encrypted, then proven with
   * one small read, so a token CloudKit refuses is reported to the app instead of parking work.
   */
  link: callable('legacy-link', linkSchema, async ({ uid, data }) => {
    await deps.legacyTokens().replace(uid, data.webAuthToken);
    try {
      const probe = await deps.legacyStore().readChanges(uid, null, 1);
      if (isAwaitingLink(probe)) {
        throw new HttpsError('failed-precondition', 'CloudKit refused this web auth token');
      }
    } catch (error) {
      // CloudKit being down is no reason to refuse the link: the token is kept for later.
      if (!(error instanceof LegacyStoreError) || !error.retryable) throw error;
      logs.legacyLinkUnverified(uid, error.code);
    }
    // Writes and a backfill run that waited for this link go on now.
    const requeued = await deps.requeueLegacyWrites(uid);
    if ((await deps.migrations().get(uid)).status === 'awaiting_link') {
      await deps.backfillRequests().request(uid, { force: false, dryRun: false });
    }
    logs.legacyLinked(uid, requeued);
    return { linked: true as const };
  }),
};
