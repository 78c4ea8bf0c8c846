import type { Firestore } from 'firebase-admin/firestore';
import { statsShards } from '../../migration/migrationStatsCounters';
import { type BackfillRequest, waitingLine, waitStep } from '../backfillWait';

type Print = (line: string) => void;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * When a statistics counter was last written, on the server's clock: a request that changed any
 * state wrote one. Field-less reads: only the shards' update times are wanted.
 */
export async function lastCounterWrite(db: Firestore): Promise<number | undefined> {
  const shards = await statsShards(db).select().get();
  const times = shards.docs.map((shard) => shard.updateTime.toMillis());
  return times.length > 0 ? Math.max(...times) : undefined;
}

export interface Sighting<T> {
  value: T;
  inFlight: number;
  answered: boolean;
}

/**
 * Polls until the request is answered or runs are in flight, or the grace period ends (`gaveUp`);
 * says once that it waits, so a watch that finds its runs at once looks as it always did.
 */
export async function awaitRequest<T>(
  request: BackfillRequest,
  timing: { graceSeconds: number; intervalSeconds: number; quiet: boolean },
  poll: () => Promise<Sighting<T>>,
  print: Print,
): Promise<{ value: T; gaveUp: boolean }> {
  const waitUntilMs = Date.now() + timing.graceSeconds * 1000;
  let announced = false;
  for (;;) {
    const seen = await poll();
    const step = waitStep({ ...seen, nowMs: Date.now(), waitUntilMs });
    if (step !== 'wait') return { value: seen.value, gaveUp: step === 'give_up' };
    if (!announced && !timing.quiet) print(waitingLine(request, timing.graceSeconds));
    announced = true;
    await sleep(Math.min(timing.intervalSeconds * 1000, Math.max(0, waitUntilMs - Date.now())));
  }
}
