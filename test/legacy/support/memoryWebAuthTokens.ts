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

  /** Linking, as `legacy-link` does it: not counted as a replacement by the adapter. */
  async link(uid: string, token: string): Promise<void> {
    this.tokens.set(uid, token);
    this.everSeen.add(token);
  }

  async rotate(uid: string, sent: string, next: string): Promise<boolean> {
    this.everSeen.add(next);
    if (this.tokens.get(uid) !== sent) return false;
    this.tokens.set(uid, next);
    this.replaced.push({ uid, token: next });
    return true;
  }

  async restore(uid: string, refused: string, previous: string): Promise<boolean> {
    const held = this.tokens.get(uid);
    if (held !== undefined && held !== refused) return false;
    this.tokens.set(uid, previous);
    return true;
  }

  async invalidate(uid: string, sent: string): Promise<boolean> {
    if (this.tokens.get(uid) !== sent) return false;
    this.tokens.delete(uid);
    this.invalidated.push(uid);
    return true;
  }
}
