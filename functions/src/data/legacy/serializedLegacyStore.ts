import type { LeaseTiming, UserLeases } from '../firestore/userLease';
import { LeaseBusyError } from '../firestore/userLease';
import { LegacyUnavailableError } from './legacyErrors';
import type { LegacyCallOptions, LegacyStore, LegacyWrite } from './legacyStore';

/**
 * One CloudKit conversation per user at a time (docs/architecture.md, invariant 8): every call into
 * a user's private database (delivery, backfill page, fallback read, link probe) runs under that
 * user's lease, so a single-use web auth token is sent once and its successor is stored before the
 * next call reads it. A lease that stays busy reads as the legacy store being unavailable: retried.
 */
export class SerializedLegacyStore implements LegacyStore {
  constructor(
    private readonly inner: LegacyStore,
    private readonly leases: UserLeases,
    private readonly timing: LeaseTiming,
  ) {}

  private async serialized<T>(uid: string, call: () => Promise<T>, deadline?: number): Promise<T> {
    // A caller's deadline bounds the wait for the lease too: what is left of it goes to CloudKit.
    const timing =
      deadline === undefined
        ? this.timing
        : {
            ...this.timing,
            waitMs: Math.min(this.timing.waitMs, Math.max(0, deadline - Date.now())),
          };
    try {
      return await this.leases.run(uid, timing, call);
    } catch (error) {
      if (error instanceof LeaseBusyError) {
        throw new LegacyUnavailableError(
          `another CloudKit call for this user is in flight`,
          'CONVERSATION_BUSY',
        );
      }
      throw error;
    }
  }

  listUsers(pageToken: string | undefined, limit: number) {
    // The public database, with the server key: no user token to protect.
    return this.inner.listUsers(pageToken, limit);
  }
  readChanges(uid: string, cursor: string | null, limit: number, options?: LegacyCallOptions) {
    return this.serialized(
      uid,
      () => this.inner.readChanges(uid, cursor, limit, options),
      options?.deadline,
    );
  }
  lookup(uid: string, recordNames: string[], options?: LegacyCallOptions) {
    return this.serialized(
      uid,
      () => this.inner.lookup(uid, recordNames, options),
      options?.deadline,
    );
  }
  write(uid: string, writes: LegacyWrite[]) {
    return this.serialized(uid, () => this.inner.write(uid, writes));
  }
}
