import { FirestoreHabitRepository } from '../data/firestore/firestoreHabitRepository';
import { firestore } from '../data/firestore/db';
import type { HabitRepository } from '../data/habitRepository';
import { MigrationStateStore } from '../migration/migrationStateStore';

/** Built on first use, so loading the functions for discovery touches no Google service. */
let habitRepository: HabitRepository | undefined;
let migrationStates: MigrationStateStore | undefined;

export function habits(): HabitRepository {
  return (habitRepository ??= new FirestoreHabitRepository(firestore()));
}

export function migrations(): MigrationStateStore {
  return (migrationStates ??= new MigrationStateStore(firestore()));
}
