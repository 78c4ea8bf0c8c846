import type { LegacyStore } from '../data/legacy/legacyStore';
import type { FanOutTask, RunKind } from '../domain/backfillMessages';
import { invalidUidReason } from '../domain/documentIds';
import { config } from '../config';
import { logs } from '../logs';
import type { Telemetry } from '../telemetry/telemetryEvents';
import type { BackfillRequests } from './backfillRequests';
import type { BackfillTasks } from './backfillTasks';

const PARALLEL_REQUESTS = config.fanOutParallelRequests;

/** Queues each user's backfill, a few at a time. */
export async function requestAll(
  uids: readonly string[],
  requests: BackfillRequests,
  kind: RunKind,
): Promise<void> {
  for (let i = 0; i < uids.length; i += PARALLEL_REQUESTS) {
    await Promise.all(
      uids.slice(i, i + PARALLEL_REQUESTS).map((uid) => requests.request(uid, kind)),
    );
  }
}

/**
 * `all`: one task per page of the legacy user list, each enqueueing the next, so no instance ever
 * holds the whole list (docs/architecture.md, invariant 5). A retried page requests its users
 * again, which changes nothing for those already queued. An AppUser whose uid could never name a
 * user here is logged, counted and passed over: it must not stop the fan-out for everyone listed
 * after it.
 */
export class BackfillFanOut {
  constructor(
    private readonly legacy: LegacyStore,
    private readonly requests: BackfillRequests,
    private readonly tasks: BackfillTasks,
    private readonly inRollout: (uid: string) => Promise<boolean>,
    private readonly telemetry: Telemetry,
  ) {}

  async page(task: FanOutTask): Promise<void> {
    const page = await this.legacy.listUsers(task.pageToken ?? undefined, config.fanOutPageSize);
    const uids: string[] = [];
    for (const { uid } of page.users) {
      const invalid = invalidUidReason(uid);
      if (invalid) {
        logs.backfillFanOutInvalidIdentity(task.fanOutId, uid, invalid);
        if (!task.dryRun) this.telemetry.record('backfillFanOut', 'invalidIdentity', { uid: '-' });
        continue;
      }
      if (task.force || (await this.inRollout(uid))) uids.push(uid);
    }
    await requestAll(uids, this.requests, task);
    if (page.nextPageToken) {
      await this.tasks.enqueueFanOut({ ...task, pageToken: page.nextPageToken });
    }
    logs.backfillFanOutPage(task.fanOutId, page.users.length, uids.length, !!page.nextPageToken);
  }
}
