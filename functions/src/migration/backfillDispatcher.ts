import { type BackfillMessage, backfillMessageSchema } from '../domain/backfillMessages';
import { describeIssues } from '../data/legacy/mapping/legacyValues';
import { requestAll } from './backfillFanOut';
import type { BackfillRequests } from './backfillRequests';
import type { BackfillTasks } from './backfillTasks';
import type { CatchUpTasks } from './catchUpTasks';

export type ParsedMessage =
  { ok: true; message: BackfillMessage } | { ok: false; reason: string; issues?: unknown };

/** A Pub/Sub payload (base64 JSON) as a backfill message, or why it is not one. */
export function parseBackfillMessage(base64: string | undefined): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(base64 ?? '', 'base64').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the message is not JSON' };
  }
  const parsed = backfillMessageSchema.safeParse(json);
  return parsed.success
    ? { ok: true, message: parsed.data }
    : { ok: false, reason: describeIssues(parsed.error), issues: parsed.error.issues };
}

export interface MessageIdentity {
  messageId: string;
  /** When the operator published it: a redelivery asks for the same catch-ups, collapsed. */
  publishTime: string;
}

/**
 * An operator's message as work: named users are queued at once; `all` becomes a fan-out over the
 * legacy user list (or, for a catch-up, over the migrated users), keyed by the message id so that
 * a redelivered message fans out once.
 */
export async function dispatchBackfill(
  message: BackfillMessage,
  { messageId, publishTime }: MessageIdentity,
  requests: BackfillRequests,
  tasks: BackfillTasks,
  catchUps: CatchUpTasks,
): Promise<void> {
  if (message.type === 'catchup') {
    const requestedAt = new Date(publishTime).toISOString();
    if (message.all) {
      await catchUps.enqueueSweep({
        sweepId: messageId,
        scope: 'all',
        dueBefore: requestedAt,
        after: null,
      });
      return;
    }
    const uids = message.uids ?? (message.uid ? [message.uid] : []);
    for (const uid of new Set(uids)) {
      await catchUps.enqueueCatchUp({ uid, requestedAt }, `message:${messageId}`);
    }
    return;
  }
  const kind = { force: message.force, dryRun: message.dryRun };
  switch (message.type) {
    case 'user':
      await requests.request(message.uid, kind);
      return;
    case 'users':
      await requestAll([...new Set(message.uids)], requests, kind);
      return;
    case 'all':
      await tasks.enqueueFanOut({ fanOutId: messageId, pageToken: null, ...kind });
      return;
  }
}
