import { CkError } from './ckErrors';
import { isObject } from './httpIo';
import type { SimUser } from './store';

/** The only zone a user's private database has here: the one Core Data mirroring writes to. */
export const COREDATA_ZONE = 'com.apple.coredata.cloudkit.zone';

export function zoneIdOf(user: SimUser): { zoneName: string; ownerRecordName: string } {
  return { zoneName: COREDATA_ZONE, ownerRecordName: user.userRecordName };
}

export function requireCoreDataZone(body: Record<string, unknown>): void {
  const zoneName = isObject(body.zoneID) ? body.zoneID.zoneName : undefined;
  if (zoneName !== COREDATA_ZONE) {
    throw new CkError(
      'ZONE_NOT_FOUND',
      `zone ${String(zoneName ?? '_defaultZone')} does not exist`,
    );
  }
}
