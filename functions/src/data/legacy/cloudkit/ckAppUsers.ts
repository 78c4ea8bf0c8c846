import type { LegacyUser } from '../legacyStore';

/** The record type the app writes to the public database when it registers its Firebase uid. */
export const APP_USER_RECORD_TYPE = 'AppUser';

/** An AppUser record as a user, or why it is not one. */
export function appUserFromRecord(raw: unknown): LegacyUser | { invalid: string } {
  const fields = (raw as { fields?: Record<string, { value?: unknown }> } | null)?.fields;
  const uid = fields?.firebaseUid?.value;
  const userRecordName = recordNameOf(fields?.userRecordName?.value);
  if (typeof uid !== 'string' || uid === '') return { invalid: 'no firebaseUid' };
  if (!userRecordName) return { invalid: 'no userRecordName' };
  return { uid, userRecordName };
}

/** A plain string as we expect, or a REFERENCE should the app have stored one. */
function recordNameOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  const referenced = (value as { recordName?: unknown } | null | undefined)?.recordName;
  return typeof referenced === 'string' && referenced !== '' ? referenced : undefined;
}
