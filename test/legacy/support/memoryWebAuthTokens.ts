import type { WebAuthTokenStore } from '../../../functions/src/data/legacy/webAuthTokens';

/** Tokens in memory, with a record of what the adapter did to them for tests to assert on. */
export class MemoryWebAuthTokenStore implements WebAuthTokenStore {
  private readonly tokens = new Map<string, string>();
  /** Every token ever held, so tests can prove none leaked anywhere. */
  readonly everSeen = new Set<string>();
  readonly replaced: Array<{ uid: string; token: string }> = [];
  readonly invalidated: string[] = [];

  async get(uid: string): Promise<string | undefined> {
    return this.tokens.get(uid);
  }

  async replace(uid: string, token: string): Promise<void> {
    this.tokens.set(uid, token);
    this.everSeen.add(token);
    this.replaced.push({ uid, token });
  }

  async invalidate(uid: string): Promise<void> {
    this.tokens.delete(uid);
    this.invalidated.push(uid);
  }

  /** Linking, as `legacy-link` does it: not counted as a replacement by the adapter. */
  link(uid: string, token: string): void {
    this.tokens.set(uid, token);
    this.everSeen.add(token);
  }
}
