import { logger } from 'firebase-functions/v2';

/** Every log line the functions write, one named function per event, structured fields last. */
export const logs = {
  callableRejected(callable: string, code: string, message: string): void {
    logger.info(`callable ${callable} rejected: ${code}`, {
      event: 'callableRejected',
      callable,
      code,
      message,
    });
  },
  callableFailed(callable: string, error: unknown): void {
    logger.error(`callable ${callable} failed`, {
      event: 'callableFailed',
      callable,
      error:
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : String(error),
    });
  },
  corruptDocument(path: string, issues: unknown): void {
    logger.error(`document ${path} does not match its schema`, {
      event: 'corruptDocument',
      path,
      issues,
    });
  },
  legacyLinked(uid: string, requeuedWrites: number): void {
    logger.info('legacy store linked', { event: 'legacyLinked', uid, requeuedWrites });
  },
  legacyLinkUnverified(uid: string, code: string): void {
    logger.warn('legacy link stored but not verified: CloudKit unavailable', {
      event: 'legacyLinkUnverified',
      uid,
      code,
    });
  },
  // CloudKit adapter. Fields are chosen, never dumped: a URL, a request or an error cause may hold
  // the API token or a user's web auth token.
  retrying(database: string, op: string, code: string, attempt: number, waitMs: number): void {
    logger.warn(`CloudKit ${database}/${op} failed (${code}), retrying`, {
      event: 'cloudKitRetry',
      database,
      op,
      code,
      attempt,
      waitMs,
    });
  },
  awaitingLink(uid: string, op: string): void {
    logger.info('CloudKit refused the web auth token: awaiting link', {
      event: 'cloudKitAwaitingLink',
      uid,
      op,
    });
  },
  webAuthTokenRotated(uid: string): void {
    logger.debug('CloudKit web auth token rotated', { event: 'cloudKitTokenRotated', uid });
  },
  skippedAppUser(recordName: string, reason: string): void {
    logger.warn(`AppUser record ${recordName} skipped: ${reason}`, {
      event: 'cloudKitSkippedAppUser',
      recordName,
      reason,
    });
  },
  invalidTaskPayload(task: string, issues: unknown): void {
    logger.error(`task ${task} got an invalid payload: dropped`, {
      event: 'invalidTaskPayload',
      task,
      issues,
    });
  },
  // Feature flags: a broken template never fails a request, so these lines are how anyone learns
  // which fallback served it.
  flagTemplateLoaded(templateVersion: string, previousVersion: string | undefined): void {
    logger.info(`flags template ${templateVersion} in force`, {
      event: 'flagTemplateLoaded',
      templateVersion,
      previousVersion,
    });
  },
  flagTemplateUnavailable(
    error: unknown,
    fallback: 'stale-remote' | 'default',
    lastGoodVersion: string | undefined,
  ): void {
    logger.warn(`flags template unavailable: serving ${fallback} values`, {
      event: 'flagTemplateUnavailable',
      fallback,
      lastGoodVersion,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
  },
  flagValueInvalid(flag: string, value: string, templateVersion: string): void {
    logger.warn(`flag ${flag} has an invalid remote value: serving its default`, {
      event: 'flagValueInvalid',
      flag,
      value,
      templateVersion,
    });
  },
  flagEvaluationFailed(error: unknown, templateVersion: string): void {
    logger.error('flags template could not be evaluated: serving defaults', {
      event: 'flagEvaluationFailed',
      templateVersion,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
  },
  // A warning: a stage left past failing gates is what a later incident review looks for first.
  rolloutGatesOverridden(
    from: string,
    to: string,
    gates: readonly { name: string; figure: string; target: string }[],
  ): void {
    logger.warn(`rollout moved from ${from} to ${to} past ${gates.length} failing gates`, {
      event: 'rolloutGatesOverridden',
      from,
      to,
      gates,
    });
  },
  /** The one shape of every telemetry event: operators build metrics on `event` and `outcome`. */
  telemetry(
    event: string,
    outcome: string,
    fields: { uid: string; latencyMs?: number; errorCode?: string; count?: number },
  ): void {
    logger.info(`${event}: ${outcome}`, {
      event,
      outcome,
      uid: fields.uid,
      latencyMs: fields.latencyMs ?? null,
      errorCode: fields.errorCode ?? null,
      count: fields.count ?? 1,
    });
  },
  backfillMessageInvalid(messageId: string, reason: string, issues: unknown): void {
    logger.warn(`migration-backfill message ${messageId} ignored: ${reason}`, {
      event: 'backfillMessageInvalid',
      messageId,
      reason,
      issues,
    });
  },
  backfillRequested(
    uid: string,
    dryRun: boolean,
    decision: string,
    runId: string | undefined,
  ): void {
    logger.info(`backfill of ${uid}: ${decision}`, {
      event: 'backfillRequested',
      uid,
      dryRun,
      decision,
      runId: runId ?? null,
    });
  },
  backfillBatch(
    uid: string,
    task: { runId: string; batch: number; dryRun: boolean },
    outcome: string,
    counts?: Record<string, number>,
  ): void {
    logger.info(`backfill of ${uid}, batch ${task.batch}: ${outcome}`, {
      event: 'backfillBatch',
      uid,
      ...task,
      outcome,
      counts: counts ?? null,
    });
  },
  catchUp(uid: string, outcome: string): void {
    logger.info(`catch-up of ${uid}: ${outcome}`, { event: 'catchUp', uid, outcome });
  },
  catchUpPage(uid: string, changes: number, echoes: number, moreComing: boolean): void {
    logger.info(`catch-up of ${uid}: ${changes} changes committed`, {
      event: 'catchUpPage',
      uid,
      changes,
      echoes,
      moreComing,
    });
  },
  catchUpFailed(uid: string, code: string, retrying: boolean): void {
    logger.warn(`catch-up of ${uid} failed: ${code}`, {
      event: 'catchUpFailed',
      uid,
      code,
      retrying,
    });
  },
  catchUpSweepPage(sweepId: string, requested: number, more: boolean): void {
    logger.info(`catch-up sweep ${sweepId}: ${requested} users requested`, {
      event: 'catchUpSweepPage',
      sweepId,
      requested,
      more,
    });
  },
  backfillBatchFailed(uid: string, batch: number, code: string, retrying: boolean): void {
    logger.warn(`backfill of ${uid}, batch ${batch} failed: ${code}`, {
      event: 'backfillBatchFailed',
      uid,
      batch,
      code,
      retrying,
    });
  },
  /** The uid is cut short in the message: it may be any length the legacy store holds. */
  backfillFanOutInvalidIdentity(fanOutId: string, uid: string, reason: string): void {
    const shown = uid.length > 80 ? `${uid.slice(0, 80)}…` : uid;
    logger.warn(`backfill fan-out ${fanOutId}: AppUser uid ${JSON.stringify(shown)} skipped`, {
      event: 'backfillFanOutInvalidIdentity',
      fanOutId,
      uid: shown,
      uidLength: uid.length,
      reason,
    });
  },
  /** Firestore refused the record's writes even alone: it is quarantined, the page goes on. */
  backfillRecordUnwritable(uid: string, recordName: string, code: string, message: string): void {
    logger.error(`record ${recordName} of ${uid} cannot be written: quarantined`, {
      event: 'backfillRecordUnwritable',
      uid,
      recordName,
      code,
      message,
    });
  },
  backfillFanOutPage(fanOutId: string, users: number, requested: number, more: boolean): void {
    logger.info(`backfill fan-out ${fanOutId}: ${requested} of ${users} users requested`, {
      event: 'backfillFanOutPage',
      fanOutId,
      users,
      requested,
      more,
    });
  },
  backfillRequeuedByOperator(uid: string, operator: string, decision: string): void {
    logger.info('backfill requeued by an operator', {
      event: 'backfillRequeuedByOperator',
      uid,
      operator,
      decision,
    });
  },
  backfillRequestFailed(uid: string, error: unknown): void {
    logger.warn(`could not queue the backfill of ${uid}`, {
      event: 'backfillRequestFailed',
      uid,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  outboxDrained(uid: string, outcomes: readonly string[] | 'busy'): void {
    if (outcomes === 'busy') {
      logger.debug('outbox drain skipped: another drain holds the user', {
        event: 'outboxDrainBusy',
        uid,
      });
      return;
    }
    const counts: Record<string, number> = {};
    for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
    logger.info(`outbox drained: ${outcomes.length} entries`, {
      event: 'outboxDrained',
      uid,
      counts,
    });
  },
  /** A telemetry flush Firestore refused: its counts are kept for the next flush. */
  telemetryFlushFailed(hours: string[], shard: number, error: unknown): void {
    logger.warn('telemetry counters could not be flushed: kept for the next flush', {
      event: 'telemetryFlushFailed',
      hours,
      shard,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  /** Counters of an hour let go after failed flushes (the telemetry log lines still hold them). */
  telemetryDropped(hour: string, events: number): void {
    logger.error(`telemetry counters of ${hour} dropped after failed flushes`, {
      event: 'telemetryDropped',
      hour,
      events,
    });
  },
  telemetryFailed(event: string, error: unknown): void {
    logger.warn(`telemetry for ${event} could not be written`, {
      event: 'telemetryFailed',
      telemetryEvent: event,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  outboxSwept(requeued: number): void {
    logger.info(`stale outbox sweep re-queued ${requeued} entries`, {
      event: 'outboxSwept',
      requeued,
    });
  },
  habitWorkDone(uid: string, habitId: string, purged: number): void {
    logger.info(`habit work done for ${habitId}: ${purged} completions purged`, {
      event: 'habitWorkDone',
      uid,
      habitId,
      purged,
    });
  },
  habitWorkContinued(uid: string, habitId: string, purged: number): void {
    logger.info(`habit work for ${habitId} continues in a new task after ${purged} completions`, {
      event: 'habitWorkContinued',
      uid,
      habitId,
      purged,
    });
  },
  habitWorkSwept(requeued: number): void {
    logger.info(`habit work sweep re-queued ${requeued} requests`, {
      event: 'habitWorkSwept',
      requeued,
    });
  },
  // Consistency checks (migration/consistency). Records are named, their content never: only
  // the names of the fields that differ reach a log line.
  shadowCompareNotQueued(uid: string, kind: string, error: unknown): void {
    logger.warn(`shadow comparison of a ${kind} read not queued: the sample is lost`, {
      event: 'shadowCompareNotQueued',
      uid,
      kind,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  shadowCompareFailed(uid: string, kind: string, code: string): void {
    logger.info(`shadow comparison of ${kind} records given up: CloudKit not readable (${code})`, {
      event: 'shadowCompareFailed',
      uid,
      kind,
      code,
    });
  },
  inconsistencyFound(
    foundBy: 'shadow' | 'verification',
    uid: string,
    recordName: string,
    kind: string,
    fields: readonly string[],
  ): void {
    logger.warn(
      `${kind} ${recordName} differs between CloudKit and Firestore: ${fields.join(', ')}`,
      {
        event: 'inconsistencyFound',
        foundBy,
        uid,
        recordName,
        kind,
        fields,
      },
    );
  },
  consistencyCatchUpNotQueued(uid: string, error: unknown): void {
    logger.warn('catch-up for a consistency repair not queued: the schedule catches the user up', {
      event: 'consistencyCatchUpNotQueued',
      uid,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  consistencyVerified(
    uid: string,
    check: { records: number; mismatches: number },
    findings: { opened: number; closed: number; repairRequested: number },
  ): void {
    logger.info(`verified ${uid}: ${check.mismatches} of ${check.records} records differ`, {
      event: 'consistencyVerified',
      uid,
      records: check.records,
      mismatches: check.mismatches,
      ...findings,
    });
  },
  consistencyNotVerified(uid: string, reason: string): void {
    logger.info(`${uid} not verified: ${reason}`, { event: 'consistencyNotVerified', uid, reason });
  },
  consistencyVerificationFailed(uid: string, error: unknown): void {
    logger.warn(`verification of ${uid} failed: the next pass tries again`, {
      event: 'consistencyVerificationFailed',
      uid,
      error: error instanceof Error ? error.message : String(error),
    });
  },
  consistencyVerificationRun(verified: number, failed: number, cursor: string | undefined): void {
    logger.info(`continuous verification: ${verified} users verified, ${failed} failed`, {
      event: 'consistencyVerificationRun',
      verified,
      failed,
      cursor,
    });
  },
};
