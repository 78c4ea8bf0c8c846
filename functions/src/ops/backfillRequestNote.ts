import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { BackfillRequest } from './backfillWait';
import { REPO_ROOT } from './localEnvironment';

/**
 * The last backfill `ops backfill` published, kept on this machine (`.cache/ops/`, gitignored) so
 * that `ops status --watch` right after it knows what to wait for. Only the last one: a watch
 * follows the request just made. OPS_CACHE_DIR moves it (the tests keep theirs apart).
 */
function notePath(): string {
  return join(process.env.OPS_CACHE_DIR ?? join(REPO_ROOT, '.cache', 'ops'), 'last-backfill.json');
}

const noteSchema = z.object({
  projectId: z.string(),
  requestedAt: z.iso.datetime(),
  messageIds: z.array(z.string()),
  uids: z.union([z.literal('all'), z.array(z.string())]),
  force: z.boolean(),
  dryRun: z.boolean(),
});

export function writeBackfillRequest(request: BackfillRequest): void {
  const path = notePath();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(request, null, 2)}\n`);
}

/** Undefined when there is none, or it cannot be read: the watch then behaves as it always did. */
export function readBackfillRequest(): BackfillRequest | undefined {
  try {
    const parsed = noteSchema.safeParse(JSON.parse(readFileSync(notePath(), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
