import { cloudKitSettings, tokenEncryptionKey } from '../config';
import { FirestoreHabitRepository } from '../data/firestore/firestoreHabitRepository';
import { firestore } from '../data/firestore/db';
import type { HabitRepository } from '../data/habitRepository';
import { CloudKitLegacyStore } from '../data/legacy/cloudkit/cloudKitLegacyStore';
import { FirestoreWebAuthTokenStore } from '../data/legacy/firestoreWebAuthTokenStore';
import type { LegacyStore } from '../data/legacy/legacyStore';
import { TokenCipher } from '../data/legacy/tokenCipher';
import type { WebAuthTokenStore } from '../data/legacy/webAuthTokens';
import { MigrationStateStore } from '../migration/migrationStateStore';

/** Built on first use, so loading the functions for discovery touches no service and no secret. */
let habitRepository: HabitRepository | undefined;
let migrationStates: MigrationStateStore | undefined;
let webAuthTokens: WebAuthTokenStore | undefined;
let legacy: LegacyStore | undefined;

export function habits(): HabitRepository {
  return (habitRepository ??= new FirestoreHabitRepository(firestore()));
}

export function migrations(): MigrationStateStore {
  return (migrationStates ??= new MigrationStateStore(firestore()));
}

export function legacyTokens(): WebAuthTokenStore {
  return (webAuthTokens ??= new FirestoreWebAuthTokenStore(
    firestore(),
    new TokenCipher(tokenEncryptionKey()),
  ));
}

export function legacyStore(): LegacyStore {
  return (legacy ??= new CloudKitLegacyStore(cloudKitSettings(), legacyTokens()));
}
