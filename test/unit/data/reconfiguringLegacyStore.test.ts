import type { LegacyStore } from '../../../functions/src/data/legacy/legacyStore';
import {
  type LegacyLimits,
  ReconfiguringLegacyStore,
} from '../../../functions/src/data/legacy/reconfiguringLegacyStore';

describe('ReconfiguringLegacyStore', () => {
  it('builds the store once per set of limits, and again when the flags change them', async () => {
    let limits: LegacyLimits = { timeoutMs: 10_000, maxRetries: 3 };
    const built: LegacyLimits[] = [];
    const store = new ReconfiguringLegacyStore(
      async () => limits,
      (given) => {
        built.push(given);
        return {
          lookup: async (uid: string) => ({ kind: 'awaiting_link', uid }),
        } as unknown as LegacyStore;
      },
    );
    await store.lookup('u', ['r']);
    await store.lookup('u', ['r']);
    expect(built).toEqual([{ timeoutMs: 10_000, maxRetries: 3 }]);

    limits = { timeoutMs: 2_000, maxRetries: 1 };
    expect(await store.lookup('u', ['r'])).toEqual({ kind: 'awaiting_link', uid: 'u' });
    expect(built).toEqual([
      { timeoutMs: 10_000, maxRetries: 3 },
      { timeoutMs: 2_000, maxRetries: 1 },
    ]);
  });
});
