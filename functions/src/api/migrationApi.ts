import { PreconditionError } from '../domain/errors';
import { callable, noInputSchema } from './callable';
import { functionsApp as deps } from '../app';

const refusals = {
  backfill_disabled: 'the backfill is switched off (backfillEnabled)',
  not_in_rollout: 'your account is not in the backfill rollout yet',
} as const;

export const migrationApi = {
  status: callable('migration-status', noInputSchema, ({ uid }) => deps.migrations().get(uid)),
  /** Queues the caller's own backfill, as far as the flags and the rollout allow. */
  start: callable('migration-start', noInputSchema, async ({ uid }) => {
    const allowed = await deps.backfillAllowed(uid);
    if (allowed !== 'allowed') throw new PreconditionError(allowed, refusals[allowed]);
    const decision = await deps.backfillRequests().request(uid, { force: false, dryRun: false });
    return decision.state;
  }),
};
