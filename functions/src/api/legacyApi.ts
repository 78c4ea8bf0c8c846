import { z } from 'zod';
import { HttpsError } from 'firebase-functions/v2/https';
import { linkLegacyAccount } from '../migration/legacyLink';
import { callable } from './callable';
import { functionsApp as deps } from '../app';

const linkSchema = z.strictObject({
  /** From CKFetchWebAuthTokenOperation on the device. */
  webAuthToken: z.string().trim().min(1).max(4096),
});

export const legacyApi = {
  /** A token CloudKit refuses is reported to the app instead of parking work behind it. */
  link: callable('legacy-link', linkSchema, async ({ uid, data }) => {
    const linked = await linkLegacyAccount(deps.legacyLink(), uid, data.webAuthToken);
    if (linked === 'refused') {
      throw new HttpsError('failed-precondition', 'CloudKit refused this web auth token');
    }
    return { linked: true as const };
  }),
};
