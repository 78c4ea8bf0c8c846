import { functionsApp as deps } from '../app';

/**
 * A background handler (task, Pub/Sub message) that writes the instance's telemetry counters
 * before it ends. Nobody waits on these handlers' latency, and once one returns its instance may
 * be throttled or shut down with counts unwritten; one write per invocation is cheap next to the
 * work it counts. A failed flush keeps its counts and never fails the handler.
 */
export function flushingTelemetry<A extends unknown[], R>(
  handle: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handle(...args);
    } finally {
      await deps.telemetry().flush();
    }
  };
}
