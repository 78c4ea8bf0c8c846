import type { Request } from 'firebase-functions/v2/tasks';
import type { z } from 'zod';
import { logs } from '../logs';
import { flushingTelemetry } from './flushingTelemetry';

/**
 * A task handler that validates its payload before `handle` sees it. An invalid payload is logged
 * and acknowledged: the queue retrying it would fail the same way until it gives up. The
 * instance's telemetry is flushed when the task ends (flushingTelemetry).
 */
export function validatedTask<S extends z.ZodType>(
  functionName: string,
  schema: S,
  handle: (data: z.output<S>, request: Request) => Promise<unknown>,
): (request: Request) => Promise<void> {
  return flushingTelemetry(async (request: Request) => {
    const parsed = schema.safeParse(request.data);
    if (!parsed.success) {
      logs.invalidTaskPayload(functionName, parsed.error.issues);
      return;
    }
    await handle(parsed.data, request);
  });
}
