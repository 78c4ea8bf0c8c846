import { FieldValue } from 'firebase-admin/firestore';

/**
 * The users/{uid}/meta/sync change that every write of user data makes in its own commit (merged):
 * a reader that holds version N knows nothing changed while the version is still N.
 */
export function syncVersionBump(now: string) {
  return { version: FieldValue.increment(1), updatedAt: now };
}
