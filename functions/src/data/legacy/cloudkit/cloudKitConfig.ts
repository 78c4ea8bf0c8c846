/** Where and how the adapter reaches CloudKit Web Services; built by `cloudKitSettings()`. */
export interface CloudKitConfig {
  /** Origin only, e.g. `https://api.apple-cloudkit.com` or the local simulator. */
  baseUrl: string;
  container: string;
  environment: 'development' | 'production';
  /** Sent as `ckAPIToken` with private-database calls; a secret, never logged. */
  apiToken: string;
  /** Signs public-database calls (Apple lets server keys reach the public database only). */
  serverKey?: { keyId: string; privateKeyPem: string };
  /**
   * Per attempt, not per call: a call may take up to (maxRetries + 1) times this plus backoff,
   * unless its deadline (config.cloudKitRetry, a caller's own) stops the retries sooner.
   */
  timeoutMs: number;
  /** Retries after the first attempt, for retryable failures only. */
  maxRetries: number;
}
