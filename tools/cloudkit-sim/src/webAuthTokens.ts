import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isObject } from './httpIo';
import type { SimStore, SimUser } from './store';

export const TOKEN_MODES = ['reusable', 'rotating'] as const;
export type TokenMode = (typeof TOKEN_MODES)[number];

export const isTokenMode = (value: unknown): value is TokenMode =>
  (TOKEN_MODES as readonly unknown[]).includes(value);

/**
 * Web auth tokens are signed (HMAC with the store's persisted secret) rather than stored, so
 * minting and rotating them never rewrites the data file and reusable tokens survive a restart.
 * Expiry-by-admin works through the user's token generation; single use through a memory-only
 * set of spent nonces (a restart forgets it: an acceptable gap for a simulator).
 *
 * Each token carries its mode in the signed payload, so one simulator can serve a rotating
 * client and a reusable one side by side; `defaultMode` only fills in when minting without one.
 *
 * Standard base64 on purpose: real tokens contain `+ / =`, and clients must URL-encode them.
 */
export class WebAuthTokens {
  private readonly spent = new Map<string, number>();

  constructor(
    private readonly store: SimStore,
    readonly defaultMode: TokenMode,
    private readonly ttlMs: number,
  ) {}

  mint(user: SimUser, mode: TokenMode = this.defaultMode): string {
    const payload = {
      u: user.uid,
      m: mode,
      e: user.epoch,
      g: user.tokenGeneration,
      x: Date.now() + this.ttlMs,
      n: randomBytes(9).toString('base64'),
    };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
    return `${body}.${this.mac(body)}`;
  }

  /**
   * The user the token was minted for, if it is genuine, unexpired and (rotating token) unspent.
   * It never spends the token, so it can also tell whom a request is for before the request runs.
   */
  verify(token: string): SimUser | undefined {
    const payload = this.open(token);
    if (!payload) return undefined;
    const user = this.store.users.get(String(payload.u));
    if (!user || user.epoch !== payload.e || user.tokenGeneration !== payload.g) return undefined;
    if (typeof payload.x !== 'number' || payload.x <= Date.now()) return undefined;
    if (this.modeOf(payload) === 'rotating' && this.spent.has(String(payload.n))) return undefined;
    return user;
  }

  /** A rotating token dies and its (rotating) successor is returned; a reusable one: nothing. */
  rotate(token: string, user: SimUser): string | undefined {
    const payload = this.open(token);
    if (!payload || this.modeOf(payload) !== 'rotating') return undefined;
    this.spent.set(String(payload.n), Number(payload.x));
    this.pruneSpent();
    return this.mint(user, 'rotating');
  }

  // Tokens minted before the mode was signed into them (a data file from an older simulator)
  // keep behaving as the simulator's mode says, as they did then.
  private modeOf(payload: Record<string, unknown>): TokenMode {
    return isTokenMode(payload.m) ? payload.m : this.defaultMode;
  }

  private open(token: string): Record<string, unknown> | undefined {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const payload: unknown = JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
      return isObject(payload) ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.store.tokenSecret).update(body).digest('base64');
  }

  // Expired tokens are refused anyway, so their nonces need not be remembered.
  private pruneSpent(): void {
    if (this.spent.size < 10_000) return;
    const now = Date.now();
    for (const [nonce, expiresAt] of this.spent) if (expiresAt <= now) this.spent.delete(nonce);
  }
}
