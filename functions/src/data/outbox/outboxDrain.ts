import type { Firestore } from 'firebase-admin/firestore';
import { userPaths } from '../firestore/paths';
import { LeaseBusyError, type LeaseTiming, type UserLeases } from '../firestore/userLease';
import type { DeliveryOutcome, OutboxDelivery } from './outboxDelivery';
import { touchEntry } from './touchEntry';

export interface DrainSettings {
  lease: LeaseTiming;
  /** Entries read per query; each is delivered before the next query. */
  pageSize: number;
  /** Past this, the drain hands the rest to a continuation task and returns. */
  budgetMs: number;
}

/** Told of each entry's outcome as it happens (telemetry); never awaited by the drain. */
export type OutcomeListener = (uid: string, outcome: DeliveryOutcome, latencyMs: number) => void;

export interface DrainReport {
  outcomes: DeliveryOutcome[];
  /** The user has no valid token: what is left waits for `legacy-link`. */
  parked: boolean;
}

/**
 * Empties one user's outbox in the order of its changes, one drain per user at a time (a lease),
 * so deliveries for a user never race each other for the same record or token. A drain that
 * finds another running returns at once: the running one looks again after it lets go, and
 * hands anything it finds to a continuation task.
 */
export class OutboxDrain {
  constructor(
    private readonly db: Firestore,
    private readonly delivery: OutboxDelivery,
    private readonly leases: UserLeases,
    private readonly settings: DrainSettings,
    private readonly continueLater: (uid: string) => Promise<void>,
    private readonly onOutcome: OutcomeListener,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async drain(uid: string): Promise<DrainReport | 'busy'> {
    let report: DrainReport;
    try {
      report = await this.leases.run(uid, this.settings.lease, (owner) => this.empty(uid, owner));
    } catch (error) {
      if (error instanceof LeaseBusyError) return 'busy';
      throw error;
    }
    // Entries that arrived while we held the lease were turned away by it: pick them up.
    if (!report.parked && (await this.hasPending(uid))) await this.continueLater(uid);
    return report;
  }

  private async empty(uid: string, owner: string): Promise<DrainReport> {
    const outbox = userPaths(this.db, uid).legacyOutbox;
    const started = this.clock().getTime();
    const outcomes: DeliveryOutcome[] = [];
    while (this.clock().getTime() - started < this.settings.budgetMs) {
      const page = await outbox
        .where('status', '==', 'pending')
        .orderBy('updatedAt')
        .limit(this.settings.pageSize)
        .get();
      if (page.empty) return { outcomes, parked: false };
      for (const snap of page.docs) {
        // Renewed per entry: a drain that outlived its lease must not go on beside another.
        if (!(await this.leases.acquire(uid, owner, this.settings.lease.leaseMs))) {
          throw new LeaseBusyError('outboxDrains');
        }
        const at = this.clock().getTime();
        const outcome = await this.delivery.deliver(uid, snap);
        outcomes.push(outcome);
        this.onOutcome(uid, outcome, this.clock().getTime() - at);
        if (outcome === 'awaiting_link') {
          await this.parkRest(uid);
          return { outcomes, parked: true };
        }
      }
    }
    return { outcomes, parked: false };
  }

  /** Without a token nothing can be delivered: the rest waits for `legacy-link` too. */
  private async parkRest(uid: string): Promise<void> {
    const outbox = userPaths(this.db, uid).legacyOutbox;
    for (;;) {
      const page = await outbox.where('status', '==', 'pending').limit(200).get();
      // An entry a change rewrote meanwhile is pending again, and its own drain will come.
      const parked = await Promise.all(
        page.docs.map((doc) => touchEntry(doc, { status: 'awaiting_link' })),
      );
      if (page.empty || !parked.some(Boolean)) return;
    }
  }

  private async hasPending(uid: string): Promise<boolean> {
    const page = await userPaths(this.db, uid)
      .legacyOutbox.where('status', '==', 'pending')
      .limit(1)
      .get();
    return !page.empty;
  }
}
