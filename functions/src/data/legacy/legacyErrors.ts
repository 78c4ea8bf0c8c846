/**
 * Failures of the legacy store as a whole (one record's failure is a per-record outcome instead).
 * Callers decide by `retryable`: retry later, or stop and report.
 */
export class LegacyStoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Throttled, 5xx, timed out or connection reset, still failing after the allowed retries. */
export class LegacyUnavailableError extends LegacyStoreError {
  constructor(message: string, code: string, retryAfterSeconds?: number) {
    super(message, code, true, retryAfterSeconds);
  }
}

/** Refused for good: bad credentials, access denied, a malformed request, a missing zone. */
export class LegacyRejectedError extends LegacyStoreError {
  constructor(message: string, code: string) {
    super(message, code, false);
  }
}
