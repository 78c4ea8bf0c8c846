import type { ShadowCompareTask } from '../../../functions/src/domain/consistency';
import type { MigrationState } from '../../../functions/src/domain/migrationState';
import { flagDefaults } from '../../../functions/src/flags/flagDefaults';
import { logs } from '../../../functions/src/logs';
import { ShadowSampler } from '../../../functions/src/migration/consistency/shadowSampler';

function sampler({
  percentage = 100,
  status = 'completed' as MigrationState['status'],
  dualWriteEnabled = true,
  roll = 0.5,
  enqueue = async (_task: ShadowCompareTask) => {},
} = {}) {
  const queued: ShadowCompareTask[] = [];
  const instance = new ShadowSampler({
    flags: async () => ({ ...flagDefaults, shadowComparePercentage: percentage, dualWriteEnabled }),
    migrationState: async () => ({ status }),
    enqueue: async (task) => {
      queued.push(task);
      await enqueue(task);
    },
    random: () => roll,
  });
  return { instance, queued };
}

describe('the shadow comparison sampler', () => {
  it('queues a sampled read of a migrated, dual-written user, naming at most 50 records', async () => {
    const { instance, queued } = sampler();
    const ids = Array.from({ length: 80 }, (_, i) => `h${i}`);
    expect(await instance.sample('u1', 'habit', ids)).toBe(true);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ uid: 'u1', kind: 'habit', ids: ids.slice(0, 50) });
  });

  it.each([
    ['outside the percentage', { percentage: 40, roll: 0.4 }],
    ['not migrated', { status: 'running' as const }],
    ['without dual-write', { dualWriteEnabled: false }],
  ])('queues nothing for a read %s', async (_case, options) => {
    const { instance, queued } = sampler(options);
    expect(await instance.sample('u1', 'completion', ['c1'])).toBe(false);
    expect(queued).toEqual([]);
  });

  it('returns at once and never throws when the enqueue fails: it logs', async () => {
    const logged = jest.spyOn(logs, 'shadowCompareNotQueued').mockImplementation(() => {});
    let reject: (error: Error) => void = () => {};
    const failing = new Promise<void>((_resolve, r) => (reject = r));
    const { instance, queued } = sampler({ enqueue: () => failing });
    expect(instance.answered('u1', 'habit', ['h1'])).toBeUndefined();
    instance.answered('u1', 'habit', []); // nothing to compare
    await new Promise((resolve) => setImmediate(resolve));
    expect(queued).toHaveLength(1);
    expect(logged).not.toHaveBeenCalled();
    reject(new Error('queue down'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged).toHaveBeenCalledWith('u1', 'habit', new Error('queue down'));
    logged.mockRestore();
  });
});
