import { MIGRATED_STATUSES, type MigrationStatus } from './migrationState';

export interface ModeFlags {
  dualWriteEnabled: boolean;
  legacyReadFallbackEnabled: boolean;
  forceMigrationComplete: boolean;
}

/** What a request does with the legacy store, decided by one table rather than scattered ifs. */
export interface MigrationMode {
  /** Record each write in the outbox for delivery to the legacy store. */
  dualWrite: boolean;
  /** Read what Firestore lacks from the legacy store. */
  legacyFallback: boolean;
}

/**
 * | forceMigrationComplete | dualWriteEnabled | fallback flag | user migrated | dualWrite | fallback |
 * | on                     | any              | any           | any           | no        | no       |
 * | off                    | x                | y             | no            | x         | y        |
 * | off                    | x                | any           | yes           | x         | no       |
 * Dual-write goes on after a user migrates: old app versions still read the legacy store until
 * the cleanup phase turns `dualWriteEnabled` off.
 */
export function migrationMode(flags: ModeFlags, status: MigrationStatus): MigrationMode {
  if (flags.forceMigrationComplete) return { dualWrite: false, legacyFallback: false };
  return {
    dualWrite: flags.dualWriteEnabled,
    legacyFallback: flags.legacyReadFallbackEnabled && !MIGRATED_STATUSES.has(status),
  };
}
