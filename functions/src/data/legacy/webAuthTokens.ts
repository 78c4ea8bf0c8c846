/**
 * Where the CloudKit adapter gets a user's web auth token and puts the newer one a response
 * brings back. The Firestore implementation encrypts tokens at rest; tests may keep them in memory.
 */
export interface WebAuthTokenStore {
  get(uid: string): Promise<string | undefined>;
  replace(uid: string, token: string): Promise<void>;
  /** The token was refused (expired, revoked): forget it so the user's work waits for a new link. */
  invalidate(uid: string): Promise<void>;
}
