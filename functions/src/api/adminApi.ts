import { z } from 'zod';
import { firestore } from '../data/firestore/db';
import { inBackfillRollout } from '../flags/featureFlags';
import { catchUpDueBefore } from '../domain/catchUp';
import { stageOf } from '../domain/rolloutStages';
import { config } from '../config';
import { rolloutReport } from '../migration/rollout/rolloutReport';
import { consistencySummary } from '../migration/consistency/consistencyRecords';
import { migrationStats } from '../migration/migrationStats';
import { telemetryReport } from '../telemetry/telemetryReport';
import { dashboardReport } from '../migration/dashboard/dashboardReport';
import { knownUser, lookUpUser } from '../migration/dashboard/userLookup';
import { NotFoundError } from '../domain/errors';
import { logs } from '../logs';
import { uidSchema } from '../domain/backfillMessages';
import { callable, noInputSchema } from './callable';
import { functionsApp as deps } from '../app';

const flagsInputSchema = z.strictObject({ uid: z.string().min(1).max(128).optional() });
const telemetryInputSchema = z.strictObject({ since: z.iso.datetime().optional() });
const verifyUserInputSchema = z.strictObject({ uid: uidSchema });
const userInputSchema = z.strictObject({ uid: uidSchema });
const dashboardInputSchema = z.strictObject({
  hours: z
    .number()
    .int()
    .min(1)
    .max(config.dashboard.maxHours)
    .default(config.dashboard.defaultHours),
});
const DAY_MS = 86_400_000;

export const adminApi = {
  /** The flags in force (for one user, when given) and where each value came from. */
  flags: callable(
    'admin-flags',
    flagsInputSchema,
    async ({ data }) => {
      const snapshot = await deps.featureFlags().forUser(data.uid);
      return {
        ...(data.uid !== undefined && {
          uid: data.uid,
          inBackfillRollout: inBackfillRollout(data.uid, snapshot),
        }),
        flags: snapshot.values,
        sources: snapshot.sources,
        ...(snapshot.templateVersion !== undefined && {
          templateVersion: snapshot.templateVersion,
        }),
        ...(snapshot.fetchedAt !== undefined && { fetchedAt: snapshot.fetchedAt }),
        /** The rollout stage the flags make, or why they make none (domain/rolloutStages). */
        stage: stageOf(snapshot.values),
      };
    },
    { admin: true },
  ),
  /**
   * Dual-write success rates, fallback reads and shadow comparisons since `since` (default: the
   * last 24 hours), and continuous verification's consistency now, each against its target.
   */
  telemetry: callable(
    'admin-telemetry',
    telemetryInputSchema,
    async ({ data }) => {
      const now = new Date();
      const since = data.since ? new Date(data.since) : new Date(now.getTime() - DAY_MS);
      const [report, consistency] = await Promise.all([
        telemetryReport(firestore(), since, now),
        consistencySummary(firestore()),
      ]);
      return { ...report, consistency };
    },
    { admin: true },
  ),
  /** The rollout stage in force and the gates to leave it, with their figures (a dashboard's). */
  rollout: callable(
    'admin-rollout',
    telemetryInputSchema,
    async ({ data }) => {
      const snapshot = await deps.featureFlags().forUser();
      const now = new Date();
      const since = data.since
        ? new Date(data.since)
        : new Date(now.getTime() - config.rollout.windowMs);
      const report = await rolloutReport(firestore(), snapshot.values, { since, now });
      return { ...report, templateVersion: snapshot.templateVersion ?? null };
    },
    { admin: true },
  ),
  /** Users per migration status, records migrated, failures, migration times. */
  migrationStats: callable(
    'admin-migrationStats',
    noInputSchema,
    async () => {
      const { values } = await deps.featureFlags().forUser();
      return migrationStats(firestore(), catchUpDueBefore(new Date(), values));
    },
    {
      admin: true,
    },
  ),
  /**
   * One refresh of the operators' dashboard: the rollout, flags, migration statistics, the last
   * `hours` hours of telemetry and the window's rates, consistency, the outbox backlog and the
   * latest failed runs, at a cost constant in users and history (migration/dashboard).
   */
  dashboard: callable(
    'admin-dashboard',
    dashboardInputSchema,
    async ({ data }) =>
      dashboardReport(firestore(), await deps.featureFlags().forUser(), {
        hours: data.hours,
        now: new Date(),
      }),
    { admin: true },
  ),
  /** One user's run, counts, last error, catch-up and latest verification; not-found if unknown. */
  userLookup: callable(
    'admin-userLookup',
    userInputSchema,
    ({ data }) => lookUpUser(firestore(), data.uid),
    { admin: true },
  ),
  /**
   * Queues the user's backfill again (forced: a completed run is copied anew), as an operator's
   * backfill message does; answers the state after queueing.
   */
  requeueUser: callable(
    'admin-requeueUser',
    userInputSchema,
    async ({ uid: operator, data }) => {
      if (!(await knownUser(firestore(), data.uid))) throw new NotFoundError('user', data.uid);
      const decision = await deps
        .backfillRequests()
        .request(data.uid, { force: true, dryRun: false });
      logs.backfillRequeuedByOperator(data.uid, operator, decision.kind);
      return decision.state;
    },
    { admin: true },
  ),
  /** Verifies one migrated user now, recorded as continuous verification records it. */
  verifyUser: callable(
    'admin-verifyUser',
    verifyUserInputSchema,
    ({ data }) => deps.continuousVerification().verifyUser(data.uid),
    { admin: true },
  ),
};
