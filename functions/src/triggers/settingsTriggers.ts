import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { config } from '../config';
import { firestore } from '../data/firestore/db';
import { userPaths } from '../data/firestore/paths';
import { bumpDataVersionAlone } from '../data/firestore/userWrites';

/**
 * The app writes its settings directly (firestore.rules), so no callable bumps the data version
 * for them: this does, moments later, so a snapshot holding the old settings stops matching.
 */
export const settingsChanged = onDocumentWritten(
  { document: 'users/{uid}/settings/preferences', region: config.region, retry: true },
  async (event) => {
    await bumpDataVersionAlone(userPaths(firestore(), event.params.uid), new Date().toISOString());
  },
);
