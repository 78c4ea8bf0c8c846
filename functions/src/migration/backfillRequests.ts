import { randomUUID } from 'node:crypto';
import type { RunKind } from '../domain/backfillMessages';
import { planQueue, type QueueDecision } from '../domain/migrationRun';
import { config } from '../config';
import { logs } from '../logs';
import type { Telemetry } from '../telemetry/telemetryEvents';
import type { BackfillTasks } from './backfillTasks';
import type { MigrationStateStore } from './migrationStateStore';

/**
 * Queues a user's backfill, whoever asks: an operator's message, the fan-out, `migration-start`,
 * a fallback read or `legacy-link`. Asking twice is harmless (domain/migrationRun planQueue), and
 * the task id makes enqueueing twice harmless too, so a crash between the two steps is retried.
 */
export class BackfillRequests {
  constructor(
    private readonly states: MigrationStateStore,
    private readonly tasks: BackfillTasks,
    private readonly telemetry: Telemetry,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async request(uid: string, { force, dryRun }: RunKind): Promise<QueueDecision> {
    const decision = await this.states.update(uid, dryRun, (state) => {
      const planned = planQueue(
        state,
        { force, newRunId: randomUUID },
        { now: this.clock(), leaseMs: config.backfillLeaseMs },
      );
      return { write: planned.kind === 'queue' ? planned.state : undefined, result: planned };
    });
    if (decision.kind !== 'already_completed') {
      await this.tasks.enqueueBatch(uid, dryRun, decision.next);
    }
    logs.backfillRequested(uid, dryRun, decision.kind, decision.state.runId);
    if (decision.kind === 'queue' && !dryRun) {
      this.telemetry.record('migration', 'queued', { uid });
    }
    return decision;
  }
}
