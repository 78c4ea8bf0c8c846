import type { LegacyStore } from '../../../functions/src/data/legacy/legacyStore';
import type { CkJsonRecord } from './ckFixtures';
import type { MemoryWebAuthTokenStore } from './memoryWebAuthTokens';

/** A failure the legacy backend is told to produce for its next matching requests. */
export interface LegacyFault {
  kind: 'throttle' | 'unavailable' | 'http500' | 'delay' | 'reset' | 'corrupt';
  /** How many requests it hits (default 1); corrupt faults last until cleared. */
  count?: number;
  retryAfter?: number;
  delayMs?: number;
  pathContains?: string;
  /** corrupt: the record served with a wrong-typed field. */
  recordName?: string;
}

/**
 * What the contract suite needs around a LegacyStore: a backend it can fill, break and restart,
 * and the knobs the store was built with. Each test gets a fresh one.
 */
export interface LegacyStoreHarness {
  /** Read it anew after `restart()`: the backend's address may change. */
  readonly store: LegacyStore;
  readonly tokens: MemoryWebAuthTokenStore;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Every wait (ms) the store asked its injected sleep for: a server's retryAfter. */
  readonly waits: number[];
  /** Registers the user with the backend and links a valid web auth token. */
  addUser(uid: string): Promise<void>;
  putRecords(uid: string, records: CkJsonRecord[]): Promise<void>;
  injectFault(fault: LegacyFault): Promise<void>;
  clearFaults(): Promise<void>;
  /** The backend refuses every token issued so far for the user. */
  expireToken(uid: string): Promise<void>;
  /** The backend stops and starts again on the same data; the store is rebuilt. */
  restart(): Promise<void>;
  /** Every secret the store was configured with (tokens are in `tokens.everSeen`). */
  secrets(): string[];
  close(): Promise<void>;
}
