import { randomUUID } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';

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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A per-user mutual exclusion across function instances: `{collection}/{uid}` holds the owner and
 * an expiry, taken and released in transactions (one read and one write each). It expires so a
 * crashed holder cannot block the user for good.
 */
export class UserLeases {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private ref(uid: string) {
    return this.db.collection(this.collection).doc(uid);
  }

  /** Takes (or, for the same owner, extends) the lease; false if someone else holds it. */
  acquire(uid: string, owner: string, leaseMs: number): Promise<boolean> {
    const ref = this.ref(uid);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      const now = this.clock().getTime();
      const holder = snap.get('owner') as string | undefined;
      const expiresAt = (snap.get('expiresAtMs') as number | undefined) ?? 0;
      if (holder !== undefined && holder !== owner && expiresAt > now) return false;
      tx.set(ref, { owner, expiresAtMs: now + leaseMs });
      return true;
    });
  }

  release(uid: string, owner: string): Promise<void> {
    const ref = this.ref(uid);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (snap.get('owner') === owner) tx.delete(ref);
    });
  }

  /** Runs `work` holding the user's lease, waiting for it up to `timing.waitMs`. */
  async run<T>(
    uid: string,
    timing: LeaseTiming,
    work: (owner: string) => Promise<T>,
    owner: string = randomUUID(),
  ): Promise<T> {
    const deadline = this.clock().getTime() + timing.waitMs;
    let pause = 20;
    while (!(await this.acquire(uid, owner, timing.leaseMs))) {
      if (this.clock().getTime() + pause > deadline) throw new LeaseBusyError(this.collection);
      // Jittered, so waiters that collided do not collide again in step.
      await sleep(pause / 2 + Math.random() * (pause / 2));
      pause = Math.min(pause * 2, 500);
    }
    try {
      return await work(owner);
    } finally {
      await this.release(uid, owner);
    }
  }
}
