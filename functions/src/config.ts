/**
 * Everything the functions are configured with, built in one place. Nothing else reads the
 * environment; later parameters (Remote Config defaults, CloudKit secrets) join this object.
 */
export const config = {
  region: 'us-central1',
  /** Completions of one user contend on meta/progress and meta/sync: allow more retries than the default 5. */
  transactionMaxAttempts: 15,
  /** Local days after the user's today that a completion may carry, for travellers ahead of their home zone. */
  completionFutureDaysAllowed: 1,
} as const;
