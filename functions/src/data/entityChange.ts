/**
 * A record a write changed, as the legacy store needs to hear of it. Delivery is state-based: it
 * makes CloudKit equal to what Firestore holds for the record when it runs, so a change names the
 * record and nothing of its content. For a streak the id is its habit's.
 */
export type ChangedKind = 'habit' | 'completion' | 'streak' | 'xpEvent';

export interface EntityChange {
  kind: ChangedKind;
  id: string;
}

/** Called inside a write's transaction, so what it records commits with the change or not at all. */
export type ChangeRecorder<Tx, Paths> = (
  tx: Tx,
  paths: Paths,
  changes: EntityChange[],
  now: string,
) => void;
