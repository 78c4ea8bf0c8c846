import type { Completion } from '../domain/completion';
import type { Habit } from '../domain/habit';

/**
 * One entity a write changed, as a second store needs to hear of it. Versions only rise, so a
 * receiver can refuse anything older than what it holds.
 */
export type EntityChange =
  | { kind: 'habit'; op: 'upsert'; id: string; version: number; entity: Habit }
  | { kind: 'completion'; op: 'upsert'; id: string; version: number; entity: Completion }
  | { kind: 'habit' | 'completion'; op: 'delete'; id: string; version: number };

/** Called inside a write's transaction, so what it records commits with the change or not at all. */
export type ChangeRecorder<Tx, Paths> = (
  tx: Tx,
  paths: Paths,
  changes: EntityChange[],
  now: string,
) => void;
