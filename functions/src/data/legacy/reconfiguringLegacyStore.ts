import type { LegacyCallOptions, LegacyStore, LegacyWrite } from './legacyStore';

export interface LegacyLimits {
  timeoutMs: number;
  maxRetries: number;
}

/**
 * The legacy store with its limits from the flags (`legacyTimeoutMs`, `legacyMaxRetries`): each
 * call reads the limits in force and rebuilds the store when they changed, so an operator's
 * change reaches every instance within the flags' cache period.
 */
export class ReconfiguringLegacyStore implements LegacyStore {
  private current: { key: string; store: LegacyStore } | undefined;

  constructor(
    private readonly limits: () => Promise<LegacyLimits>,
    private readonly build: (limits: LegacyLimits) => LegacyStore,
  ) {}

  private async store(): Promise<LegacyStore> {
    const limits = await this.limits();
    const key = `${limits.timeoutMs}/${limits.maxRetries}`;
    if (this.current?.key !== key) this.current = { key, store: this.build(limits) };
    return this.current.store;
  }

  async listUsers(pageToken: string | undefined, limit: number) {
    return (await this.store()).listUsers(pageToken, limit);
  }
  async readChanges(
    uid: string,
    cursor: string | null,
    limit: number,
    options?: LegacyCallOptions,
  ) {
    return (await this.store()).readChanges(uid, cursor, limit, options);
  }
  async lookup(uid: string, recordNames: string[], options?: LegacyCallOptions) {
    return (await this.store()).lookup(uid, recordNames, options);
  }
  async write(uid: string, writes: LegacyWrite[]) {
    return (await this.store()).write(uid, writes);
  }
}
