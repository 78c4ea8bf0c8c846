/**
 * Where the CloudKit adapter gets a user's web auth token and puts the newer one a response
 * brings back. The Firestore implementation encrypts tokens at rest; tests may keep them in memory.
 *
 * Tokens may be single use, and a `legacy-link` can land while a call is in flight: so the
 * adapter never overwrites or clears a token blindly. It says which token it sent, and the change
 * happens only if that token is still the one held (compare-and-swap). A stale 421 therefore
 * never clears a newer token, and a late rotation never replaces the one the app just linked.
 */
export interface WebAuthTokenStore {
  get(uid: string): Promise<string | undefined>;
  /** The app handed over a fresh token (`legacy-link`): it replaces whatever is held. */
  link(uid: string, token: string): Promise<void>;
  /** A response to a call made with `sent` carried `next`: kept if `sent` is still held. */
  rotate(uid: string, sent: string, next: string): Promise<boolean>;
  /** `sent` was refused (expired, revoked, spent): forgotten if it is still the one held. */
  invalidate(uid: string, sent: string): Promise<boolean>;
  /**
   * A token the app handed over was refused: `previous` is held again, if what is held is still
   * `refused` or nothing (the refusal forgot it), not a token linked or rotated since.
   */
  restore(uid: string, refused: string, previous: string): Promise<boolean>;
}
