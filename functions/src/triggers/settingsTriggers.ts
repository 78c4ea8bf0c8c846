import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { config } from '../config';
import { firestore } from '../data/firestore/db';
import { userPaths } from '../data/firestore/paths';
import { syncVersionBump } from '../data/firestore/syncVersion';

/**
 * The app writes its settings directly (firestore.rules), so no callable bumps the data version
 * for them: this does, moments later, so a snapshot holding the old settings stops matching.
 */
export const settingsChanged = onDocumentWritten(
  { document: 'users/{uid}/settings/preferences', region: config.region, retry: true },
  async (event) => {
    await userPaths(firestore(), event.params.uid).sync.set(
      syncVersionBump(new Date().toISOString()),
      { merge: true },
    );
  },
);
