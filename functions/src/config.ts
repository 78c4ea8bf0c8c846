import { defineBoolean, defineInt, defineSecret, defineString } from 'firebase-functions/params';

/**
 * How long an instance trusts its flags unless FLAG_CACHE_TTL_SECONDS says otherwise: an
 * emergency override reaches every instance within a minute, and a busy instance loads the
 * template once a minute rather than per request. Also the default of FeatureFlags itself.
 */
const FLAG_CACHE_TTL_SECONDS = 60;

/**
 * Everything the functions are configured with, built in one place. Nothing else reads the
 * environment. Parameters come from `functions/.env.<project>` (the demo project points CloudKit
 * at the local simulator) and secrets from Secret Manager (`functions/.secret.local` in emulators).
 */
const params = {
  cloudKitBaseUrl: defineString('CLOUDKIT_BASE_URL', {
    default: 'https://api.apple-cloudkit.com',
    description: 'CloudKit Web Services origin (the simulator in emulators)',
  }),
  cloudKitContainer: defineString('CLOUDKIT_CONTAINER', {
    description: 'CloudKit container of the iOS app, e.g. iCloud.com.example.habits',
  }),
  cloudKitEnvironment: defineString('CLOUDKIT_ENVIRONMENT', {
    default: 'production',
    input: { select: { options: [{ value: 'development' }, { value: 'production' }] } },
  }),
  cloudKitServerKeyId: defineString('CLOUDKIT_SERVER_KEY_ID', {
    description: 'Key ID of the server-to-server key (CloudKit Dashboard)',
  }),
  flagsTemplateFile: defineString('FLAGS_TEMPLATE_FILE', {
    default: '',
    description: 'Empty: flags from Remote Config. A path: that template file (emulators, tests)',
  }),
  telemetryFlushEachCall: defineBoolean('TELEMETRY_FLUSH_EACH_CALL', {
    default: false,
    description: 'Callables await their telemetry flush (emulators: counters read back at once)',
  }),
  flagCacheTtlSeconds: defineInt('FLAG_CACHE_TTL_SECONDS', {
    default: FLAG_CACHE_TTL_SECONDS,
    description: 'How long an instance trusts its flags: the delay before an override bites',
  }),
};

export const secrets = {
  /** The container's API token, sent as ckAPIToken with every private-database request. */
  cloudKitApiToken: defineSecret('CLOUDKIT_API_TOKEN'),
  /** PEM of the server-to-server ECDSA P-256 private key. */
  cloudKitServerPrivateKey: defineSecret('CLOUDKIT_SERVER_PRIVATE_KEY'),
  /** 32 random bytes, base64: encrypts users' web auth tokens at rest. */
  legacyTokenEncryptionKey: defineSecret('LEGACY_TOKEN_ENCRYPTION_KEY'),
};
export const legacySecrets = Object.values(secrets);

export const config = {
  region: 'us-central1',
  /** Completions of one user contend on meta/progress and meta/sync: allow more retries than the default 5. */
  transactionMaxAttempts: 15,
  /**
   * A user's writes through the API: contended ones retry until `deadlineMs` has passed, then
   * answer `aborted` (the app retries) rather than run into the callable's 60 s timeout. The
   * client library backs off 1 s, 1.5 s, 2.25 s... between attempts, so an attempt starting
   * just before the deadline ends well inside the timeout.
   */
  userWriteTransaction: { maxAttempts: 10, deadlineMs: 15_000 },
  /**
   * Work a habit write leaves for the background (data/habitWork): a deleted habit's days go in
   * pages of `purgePageSize` completions (each with its tombstone and outbox entry: 3 writes);
   * a task stops after `budgetMs` and leaves the rest to its continuation, well inside its
   * `timeoutSeconds`. A request pending `staleAfterMs` lost its task: the sweep drives it again.
   */
  habitWork: {
    purgePageSize: 150,
    budgetMs: 60_000,
    timeoutSeconds: 300,
    sweepMinutes: 10,
    staleAfterMs: 10 * 60_000,
    sweepLimit: 500,
  },
  /** A streak recount that raced API writes on every attempt leaves it to its task's retry. */
  streakRecountAttempts: 5,
  /** Local days after the user's today that a completion may carry, for travellers ahead of their home zone. */
  completionFutureDaysAllowed: 1,
  /** Local defaults of the flags `legacyTimeoutMs` and `legacyMaxRetries` (flags/flagDefaults.ts). */
  legacyTimeoutMs: 10_000,
  legacyMaxRetries: 3,
  /**
   * The rest of one CloudKit call's retry policy (data/legacy/retryPolicy.ts), the flags above
   * giving its attempts and their timeout. Full-jitter backoff from `baseMs`, doubling to `maxMs`:
   * short, since a call's own retries only cover blips; longer outages are the task queues'
   * business (their backoff reaches minutes). `overallDeadlineMs` bounds a call whatever the
   * server's retryAfter asks: the defaults' worst case without one is 4 attempts of 10 s plus at
   * most 1.75 s of backoff, so 60 s changes nothing there; it stays under the conversation lease
   * (80 s by default, legacyConversationLeaseMs) and the backfill lease, so a call never outlives
   * the lease it runs under. A retry that could not end before it is not started: the call fails
   * as unavailable, and the task queue retries the task later.
   */
  cloudKitRetry: { backoff: { baseMs: 250, maxMs: 10_000 }, overallDeadlineMs: 60_000 },
  /**
   * How long a backfill worker's lease on a user holds. Longer than one batch can take (a page
   * read with its retries, one commit), so only a dead worker's lease ever expires.
   */
  backfillLeaseMs: 120_000,
  /**
   * How long one backfill task goes on taking pages (each committed with its cursor, the lease
   * renewed by each commit) before it hands the run to a continuation task: well inside the
   * worker's 300 s timeout, with the lease covering the one page that may start just before.
   */
  backfillTaskBudgetMs: 60_000,
  /**
   * How far CloudKit's modification times may be off this server's clock. A record modified
   * this long before a run started is met once in its feed (migration/backfillBatchWriter.ts).
   */
  cloudKitClockSkewMs: 10 * 60_000,
  /**
   * Streaks recounted at once by the backfill's last step and a catch-up's: each reads one habit's
   * days in one query; a few at a time keep the step short without flooding Firestore.
   */
  streakRecountConcurrency: 8,
  /**
   * Snapshots each instance keeps for snapshot-get. A snapshot of a heavy user is tens of KB, so
   * 1,000 stay well inside a 256 MiB instance.
   */
  snapshotCacheEntries: 1_000,
  /**
   * Reads that fall back to CloudKit for a user not migrated yet. One request reads at most
   * `maxPages` change-feed pages of `pageSize` (CloudKit's largest), so its cost never grows with
   * the user's history; a user with more is told the answer is partial, and the read asks for their
   * backfill. What was read is kept per instance for `cacheTtlMs`, long enough for the burst of
   * reads an app launch makes, short enough that a write on the old app shows within a minute. An
   * entry holds up to `maxPages * pageSize` records (about 200 KB), so `cacheEntries` of them stay
   * around 50 MB. One read (its pages, the wait for the user's conversation lease, every retry)
   * ends within `deadlineMs`, answering unavailable if CloudKit is slower: half the callable's
   * 60 s timeout, leaving the rest for Firestore and the answer. A normal read takes well under a
   * second; one timed-out attempt and its retry (about 20 s) still fit.
   */
  legacyFallbackRead: {
    pageSize: 200,
    maxPages: 2,
    cacheTtlMs: 60_000,
    cacheEntries: 250,
    deadlineMs: 30_000,
  },
  /** Legacy users per fan-out task: each is one small transaction and one enqueue. */
  fanOutPageSize: 100,
  /** Requests a fan-out task makes at a time: quick pages without swamping the state documents. */
  fanOutParallelRequests: 10,
  /**
   * The record-for-record verifier (`ops verify`, migration/migrationVerifier.ts): CloudKit records
   * per page read, and the differences one report lists (the rest are only counted).
   */
  verification: { pageSize: 200, maxListed: 200 },
  /**
   * Consistency checks (migration/consistency/, docs/operations.md "Consistency"):
   * - a shadow comparison names at most `shadowMaxIds` records of the read it samples (one
   *   CloudKit lookup); its queue gives up after a few attempts (a lost comparison is only a
   *   missing sample) and runs a few at a time, beside the CloudKit work that matters more;
   * - continuous verification takes the next `usersPerRun` migrated users every
   *   `verifyEveryMinutes`, stopping after `budgetMs` (well inside `verifyTimeoutSeconds`);
   * - findings are written `findingsPerCommit` records per transaction (each: its open
   *   inconsistency and, repaired, its outbox entry), and a user's open inconsistencies are read
   *   at most `openPerUser` at a time when a verification closes them.
   */
  consistency: {
    shadowMaxIds: 50,
    shadowQueue: {
      retryConfig: { maxAttempts: 3, minBackoffSeconds: 10, maxBackoffSeconds: 60 },
      rateLimits: { maxConcurrentDispatches: 5, maxDispatchesPerSecond: 5 },
    },
    verifyEveryMinutes: 30,
    usersPerRun: 10,
    budgetMs: 300_000,
    verifyTimeoutSeconds: 540,
    findingsPerCommit: 50,
    openPerUser: 500,
  },
  /**
   * One CloudKit call per user at a time (single-use tokens). A caller waits this long for the
   * user's conversation lease, then treats CloudKit as unavailable (tasks retry).
   */
  legacyConversationWaitMs: 20_000,
  /** A held conversation lease outlives the longest call: each attempt's timeout plus this. */
  legacyConversationSlackMs: 10_000,
  /** Draining one user's outbox: one drain per user, bounded in time, renewed per entry. */
  outboxDrain: { lease: { leaseMs: 300_000, waitMs: 0 }, pageSize: 20, budgetMs: 30_000 },
  /**
   * Every `sweepMinutes` the outbox sweep re-drives pending entries untouched for `staleAfterMs`
   * (longer than a drain's task with its queue's first retries: only lost ones) and failed ones
   * after `failedRetryAfterMs` (CloudKit refusals are rare and may pass), `limit` of each per run.
   */
  outboxSweep: {
    sweepMinutes: 10,
    staleAfterMs: 15 * 60_000,
    failedRetryAfterMs: 60 * 60_000,
    limit: 500,
  },
  /**
   * Catch-up of a migrated user's CloudKit change feed: one pass per user, bounded in time (the
   * rest goes to a continuation task), its lease renewed per page and outliving one page's work.
   */
  catchUp: { lease: { leaseMs: 180_000, waitMs: 0 }, budgetMs: 120_000 },
  /** The catch-up function's timeout: its budget, plus one more step, fits well inside. */
  catchUpTimeoutSeconds: 300,
  /** A catch-up step holds a page of records and recounts streaks: twice the default 256 MiB. */
  catchUpMemory: '512MiB' as const,
  /** Streaks recomputed per step of a pass; each reads that habit's days (docs/benchmarks.md). */
  catchUpStreaksPerStep: 20,
  /** How often the schedule looks for users due (the interval itself is a flag). */
  catchUpScheduleMinutes: 5,
  /** Users per catch-up sweep task: each is one enqueue. */
  catchUpSweepPageSize: 200,
  /**
   * Migration statistics' counter shards (ops/migrationStats/shards/{n}), one written per state
   * change. State writes peak near 3 per backfill batch at 20 batches/s plus 20 catch-ups/s
   * (about 80/s): 64 shards keep each near the 1 write/s a document sustains, and reading the
   * statistics costs 64 reads whatever the number of users.
   */
  migrationStatsShards: 64,
  /** `overdue` is a count() capped here (one billed read): above it, "at least" this many. */
  migrationStatsOverdueCap: 1_000,
  /** States per page when `ops stats --rebuild` recounts the counters. */
  migrationStatsRebuildPageSize: 500,
  /**
   * The catch-up task queue: a pass that finds another running retries soon (it is then served),
   * and CloudKit outages are outlasted; shares CloudKit with the backfill, so a modest rate.
   */
  catchUpQueue: {
    retryConfig: { maxAttempts: 20, minBackoffSeconds: 5, maxBackoffSeconds: 600, maxDoublings: 4 },
    rateLimits: { maxConcurrentDispatches: 20, maxDispatchesPerSecond: 20 },
  },
  /**
   * The catch-up sweep's task queue: each task pages through followed users and enqueues their
   * passes, so two at a time keep up; a failure (Firestore, the enqueue) is retried for about a
   * quarter of an hour, backing off to 5 minutes.
   */
  catchUpSweepQueue: {
    retryConfig: { maxAttempts: 10, minBackoffSeconds: 2, maxBackoffSeconds: 300 },
    rateLimits: { maxConcurrentDispatches: 2 },
  },
  /**
   * The backfill worker's task queue. Retries outlast a CloudKit outage of about an hour, backing
   * off to 5 minutes; the last attempt is told so (migration/backfillJob.ts). CloudKit throttles
   * per container: a modest number of users at a time keeps the backfill from starving the app's
   * own traffic.
   */
  backfillQueue: {
    retryConfig: { maxAttempts: 20, minBackoffSeconds: 1, maxBackoffSeconds: 300, maxDoublings: 5 },
    rateLimits: { maxConcurrentDispatches: 10, maxDispatchesPerSecond: 20 },
  },
  /**
   * The backfill worker's timeout and memory: its task budget (`backfillTaskBudgetMs`) plus one
   * more page fits well inside; a page of records, decoded and mapped, with its streak recounts
   * needs more than the default 256 MiB.
   */
  backfillTimeoutSeconds: 300,
  backfillMemory: '512MiB' as const,
  /**
   * The `all` fan-out's task queue: each task reads one page of the legacy user list and queues
   * their backfills, so two at a time keep up; a failure is retried for about a quarter of an
   * hour, backing off to 5 minutes.
   */
  fanOutQueue: {
    retryConfig: { maxAttempts: 10, minBackoffSeconds: 2, maxBackoffSeconds: 300 },
    rateLimits: { maxConcurrentDispatches: 2 },
  },
  /**
   * The habit-work task queue: Firestore only (no CloudKit), so more at once than the CloudKit
   * queues; a task that keeps racing API writes retries for about two hours, backing off to 10
   * minutes, and the sweep (`habitWork.staleAfterMs`) picks up what outlasts that.
   */
  habitWorkQueue: {
    retryConfig: { maxAttempts: 20, minBackoffSeconds: 5, maxBackoffSeconds: 600 },
    rateLimits: { maxConcurrentDispatches: 50 },
  },
  /** The delivery task queue: a backlog cannot overrun CloudKit, and outages are outlasted. */
  legacyDeliveryQueue: {
    retryConfig: { maxAttempts: 20, minBackoffSeconds: 2, maxBackoffSeconds: 600, maxDoublings: 4 },
    rateLimits: { maxConcurrentDispatches: 20, maxDispatchesPerSecond: 50 },
  },
  /**
   * Telemetry counters (telemetry/bufferedTelemetry.ts): each instance sums its events in memory
   * and writes them in one commit to a random one of `shards` per hour. Writes come from every
   * task that ends (the queues above dispatch under 100/s together) and from each callable
   * instance once per `flushIntervalMs` (1,000 instances: 33/s), so a shard sees about one write
   * a second at the very peak, whatever the event rate; a report reads at most `shards` documents
   * per hour. `maxHoursHeld` bounds what an instance keeps while Firestore refuses its flushes.
   */
  telemetry: { shards: 100, flushIntervalMs: 30_000, maxHoursHeld: 24 },
  /**
   * The longest period `admin-telemetry` sums (telemetry/telemetryReport.ts): a month of hours,
   * so one report reads at most that many hours' shards.
   */
  telemetryReportMaxHours: 24 * 31,
  /** FeatureFlags' own default, for a caller (a test, a tool) that gives it none. */
  defaultFlagCacheTtlMs: FLAG_CACHE_TTL_SECONDS * 1000,
  /**
   * `legacy-link` proves a token with one small read inside the callable: all of it (lease wait,
   * attempts, backoff) ends by then, well inside the callable's 60 s timeout.
   */
  legacyLinkProbeDeadlineMs: 30_000,
  /**
   * The rollout's gates (domain/rolloutGates.ts; the rates' targets are telemetryTargets):
   * - `maxOldestPendingMs`: the stale-outbox sweep re-drives a pending entry after 15 minutes, so
   *   an older one means deliveries are not keeping up;
   * - `maxWriteLatencyP95Ratio`: dual-write may cost writes at most 10 % at p95;
   * - `windowMs`: the telemetry window a gate judges unless --since says otherwise;
   * - `pendingCountCap`: pending entries are a count() capped here (one billed read per 1,000).
   */
  rollout: {
    maxOldestPendingMs: 15 * 60_000,
    maxWriteLatencyP95Ratio: 1.1,
    windowMs: 24 * 3_600_000,
    pendingCountCap: 1_000,
  },
  /**
   * The operators' dashboard (`admin-dashboard`, dashboard/): it asks again every
   * `refreshSeconds`; charts show `defaultHours` hours unless asked for up to `maxHours` (inside
   * the rollout window, which the call reads anyway); `recentFailures` runs are listed.
   */
  dashboard: { refreshSeconds: 10, defaultHours: 6, maxHours: 24, recentFailures: 5 },
  /** The operators' command line (functions/src/ops). */
  ops: {
    /** How long a probe of a local emulator may take before it counts as not running. */
    emulatorProbeTimeoutMs: 2_000,
    /** `ops outbox`: entries scanned at most by default, oldest first. */
    outboxScanLimit: 1_000,
    /** `ops verify --sample`: completed runs the sample is drawn from. */
    verifySamplePool: 1_000,
    /** A `status --watch` waits for a backfill requested this recently (ops/backfillWait.ts). */
    recentBackfillRequestMs: 2 * 60_000,
    /** ...for at most this long, unless `--grace` says otherwise. */
    backfillGraceSeconds: 30,
  },
};

/** The service account the Admin SDK is told of under emulators, so it never asks a metadata server. */
export const EMULATED_SERVICE_ACCOUNT = 'emulated-service-acct@email.com';

/** How long a conversation lease holds: every attempt of one call, at its timeout, and slack. */
export function legacyConversationLeaseMs(limits: { timeoutMs: number; maxRetries: number }) {
  return (limits.timeoutMs + config.legacyConversationSlackMs) * (limits.maxRetries + 1);
}

/** Read at call time: parameter values exist only once a function runs. */
export function cloudKitSettings() {
  return {
    baseUrl: params.cloudKitBaseUrl.value(),
    container: params.cloudKitContainer.value(),
    environment: params.cloudKitEnvironment.value() as 'development' | 'production',
    apiToken: secrets.cloudKitApiToken.value(),
    serverKey: {
      keyId: params.cloudKitServerKeyId.value(),
      privateKeyPem: secrets.cloudKitServerPrivateKey.value(),
    },
  };
}

export const tokenEncryptionKey = () => secrets.legacyTokenEncryptionKey.value();

/** Relative paths are taken from the functions folder, where the emulator runs the code. */
export const flagsTemplateFile = () => params.flagsTemplateFile.value();

/**
 * Whether a callable awaits the telemetry flush before it answers. Off in production: the answer
 * never waits for counters. On in the demo project, where tests read the counters right after a
 * call made in the functions emulator's own process, which they cannot flush themselves.
 */
export const telemetryFlushEachCall = () => params.telemetryFlushEachCall.value();

/** How long an instance trusts its Remote Config template (the tests shorten it to a second). */
export const flagCacheTtlMs = () => params.flagCacheTtlSeconds.value() * 1000;

/**
 * In the Functions emulator the Admin SDK must not go looking for a service account on the
 * metadata server (there is none, and nothing here may leave the machine): name an emulated one.
 */
export const adminAppOptions = () =>
  process.env.FUNCTIONS_EMULATOR === 'true'
    ? { serviceAccountId: EMULATED_SERVICE_ACCOUNT }
    : undefined;
