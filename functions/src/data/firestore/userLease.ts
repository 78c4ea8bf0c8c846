import { randomUUID } from 'node:crypto';
import type { Firestore, Timestamp } from 'firebase-admin/firestore';

export interface LeaseTiming {
  /** How long a holder that died keeps others out: longer than the work it covers can take. */
  leaseMs: number;
  /** How long to wait for a busy lease before giving up (0: try once). */
  waitMs: number;
}

/** The lease stayed busy for the whole wait: the caller retries later (a task) or gives up. */
export class LeaseBusyError extends Error {
  readonly code = 'LEASE_BUSY';
  constructor(readonly lease: string) {
    super(`${lease} is held by another worker`);
    this.name = 'LeaseBusyError';
  }
}

/** Top-level, server-only collections (the rules grant clients nothing outside users/{uid}). */
export const LEGACY_CONVERSATIONS = 'legacyConversations';
export const OUTBOX_DRAINS = 'outboxDrains';
export const CATCH_UPS = 'catchUps';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Firestore's gRPC codes for a lost race: someone else created or changed the lease first. */
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;
const NOT_FOUND = 5;

function lostRace(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === ALREADY_EXISTS || code === FAILED_PRECONDITION || code === NOT_FOUND;
}

/**
 * A per-user mutual exclusion across function instances: `{collection}/{uid}` holds the owner and
 * an expiry. It expires so a crashed holder cannot block the user for good. Taken with a create
 * (or, for an expired lease or the same owner, an update conditional on the version read) rather
 * than a transaction: waiters polling a busy lease then never contend for locks with each other.
 */
export class UserLeases {
  /**
   * The update time each lease held here was left at by its holder's last write, by `uid/owner`:
   * releasing it is then one conditional delete, with no read first.
   */
  private readonly written = new Map<string, Timestamp>();

  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private ref(uid: string) {
    return this.db.collection(this.collection).doc(uid);
  }

  private static heldBy(uid: string, owner: string): string {
    return `${uid}/${owner}`;
  }

  /** Takes (or, for the same owner, extends) the lease; false if someone else holds it. */
  async acquire(uid: string, owner: string, leaseMs: number): Promise<boolean> {
    const ref = this.ref(uid);
    const lease = () => ({ owner, expiresAtMs: this.clock().getTime() + leaseMs });
    try {
      this.written.set(UserLeases.heldBy(uid, owner), (await ref.create(lease())).writeTime);
      return true;
    } catch (error) {
      if (!lostRace(error)) throw error;
    }
    const snap = await ref.get();
    if (!snap.exists) return false; // released meanwhile: the caller tries again
    const holder = snap.get('owner') as string | undefined;
    const expiresAt = (snap.get('expiresAtMs') as number | undefined) ?? 0;
    if (holder !== owner && expiresAt > this.clock().getTime()) return false;
    try {
      const { writeTime } = await ref.update(lease(), { lastUpdateTime: snap.updateTime! });
      this.written.set(UserLeases.heldBy(uid, owner), writeTime);
      return true;
    } catch (error) {
      if (lostRace(error)) return false;
      throw error;
    }
  }

  async release(uid: string, owner: string): Promise<void> {
    const ref = this.ref(uid);
    const key = UserLeases.heldBy(uid, owner);
    const written = this.written.get(key);
    this.written.delete(key);
    if (written) {
      try {
        // Unchanged since this holder's last write: still ours.
        await ref.delete({ lastUpdateTime: written });
        return;
      } catch (error) {
        // Changed since (taken over, or renewed through another instance): read who holds it.
        if (!lostRace(error)) throw error;
      }
    }
    const snap = await ref.get();
    if (snap.get('owner') !== owner) return;
    try {
      await ref.delete({ lastUpdateTime: snap.updateTime! });
    } catch (error) {
      // Taken over after it expired: the lease is no longer ours to release.
      if (!lostRace(error)) throw error;
    }
  }

  /** Runs `work` holding the user's lease, waiting for it up to `timing.waitMs`. */
  async run<T>(
    uid: string,
    timing: LeaseTiming,
    work: (owner: string) => Promise<T>,
    owner: string = randomUUID(),
  ): Promise<T> {
    const deadline = this.clock().getTime() + timing.waitMs;
    let pause = 10;
    while (!(await this.acquire(uid, owner, timing.leaseMs))) {
      if (this.clock().getTime() + pause > deadline) throw new LeaseBusyError(this.collection);
      // Jittered, so waiters that collided do not collide again in step.
      await sleep(pause / 2 + Math.random() * (pause / 2));
      pause = Math.min(pause * 2, 100);
    }
    try {
      return await work(owner);
    } finally {
      await this.release(uid, owner);
    }
  }
}
