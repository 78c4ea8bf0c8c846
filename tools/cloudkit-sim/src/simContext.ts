import type { Faults } from './faults';
import type { ServerKeys } from './serverSignature';
import type { SimStore } from './store';
import type { WebAuthTokens } from './webAuthTokens';

/** Everything a request handler may touch; one per running simulator. */
export interface SimContext {
  store: SimStore;
  tokens: WebAuthTokens;
  faults: Faults;
  serverKeys: ServerKeys;
  container: string;
  apiToken: string;
  /** Resolves after `ms`; the server cancels pending waits when it closes. */
  sleep(ms: number): Promise<void>;
}

/** What a handler answers; 'drop' destroys the connection without any response. */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> } | 'drop';

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  ...(headers && { headers }),
});
