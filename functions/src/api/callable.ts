import {
  type CallableFunction,
  type CallableOptions,
  HttpsError,
  onCall,
} from 'firebase-functions/v2/https';
import { z } from 'zod';
import { config, legacySecrets, telemetryFlushEachCall } from '../config';
import { logs } from '../logs';
import { functionsApp as deps } from '../app';
import { toHttpsError } from './errorMapping';

/** For callables that take no input: anything but nothing (or `{}`) is an unknown field. */
export const noInputSchema = z.strictObject({});

export interface CallContext<Input> {
  uid: string;
  data: Input;
}

/**
 * Every callable goes through here: a signed-in user, input parsed strictly by its schema, and
 * failures mapped once. Handlers receive only valid input and never see transport details.
 */
export function callable<S extends z.ZodType, Output>(
  name: string,
  schema: S,
  handler: (context: CallContext<z.output<S>>) => Promise<Output>,
  { admin = false, ...options }: Pick<CallableOptions, 'secrets'> & { admin?: boolean } = {},
): CallableFunction<z.input<S>, Promise<Output>> {
  // Every callable may read the legacy store (fallback reads), so every one mounts its secrets.
  const secrets = [...legacySecrets, ...(options.secrets ?? [])];
  return onCall({ ...options, secrets, region: config.region }, async (request) => {
    try {
      const uid = request.auth?.uid;
      if (!uid) throw new HttpsError('unauthenticated', 'sign in to call this function');
      if (admin && request.auth?.token.admin !== true) {
        throw new HttpsError('permission-denied', 'this function needs the admin custom claim');
      }
      // Callables without input are sent `null` by the client SDKs.
      const data = schema.parse(request.data ?? {});
      return await handler({ uid, data });
    } catch (error) {
      const mapped = toHttpsError(name, error);
      if (mapped.code !== 'internal') logs.callableRejected(name, mapped.code, mapped.message);
      throw mapped;
    } finally {
      // Production answers without waiting for counters (telemetry/bufferedTelemetry.ts).
      if (telemetryFlushEachCall()) await deps.telemetry().flush();
    }
  });
}
