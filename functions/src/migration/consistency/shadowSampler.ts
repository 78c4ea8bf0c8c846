import { config } from '../../config';
import {
  type ShadowCompareTask,
  type ShadowKind,
  shadowComparable,
  shadowSampled,
} from '../../domain/consistency';
import type { MigrationState } from '../../domain/migrationState';
import type { AnsweredReads } from '../../data/repositoryFacade';
import type { Flags } from '../../flags/flagDefaults';
import { logs } from '../../logs';

export interface ShadowSamplerDeps {
  flags(uid: string): Promise<Flags>;
  migrationState(uid: string): Promise<MigrationState>;
  enqueue(task: ShadowCompareTask): Promise<void>;
  /** Uniform in [0, 1): Math.random, or a test's own. */
  random?: () => number;
}

/**
 * Picks `shadowComparePercentage` percent of migrated, dual-written users' reads (random per
 * call) and leaves a task to compare what they answered with CloudKit's copies. The read never
 * waits for any of it: the decision and the enqueue run after the answer is on its way, and a
 * failure is only logged (a lost comparison is a missing sample, never a failed read).
 */
export class ShadowSampler implements AnsweredReads {
  private readonly random: () => number;

  constructor(private readonly deps: ShadowSamplerDeps) {
    this.random = deps.random ?? Math.random;
  }

  answered(uid: string, kind: ShadowKind, ids: readonly string[]): void {
    if (ids.length === 0) return;
    void this.sample(uid, kind, ids).catch((error: unknown) =>
      logs.shadowCompareNotQueued(uid, kind, error),
    );
  }

  /** Resolves once decided (and enqueued, if sampled): true when a comparison was queued. */
  async sample(uid: string, kind: ShadowKind, ids: readonly string[]): Promise<boolean> {
    const flags = await this.deps.flags(uid);
    if (!shadowSampled(flags.shadowComparePercentage, this.random())) return false;
    const state = await this.deps.migrationState(uid);
    if (!shadowComparable(flags, state.status)) return false;
    await this.deps.enqueue({
      uid,
      kind,
      ids: [...new Set(ids)].slice(0, config.consistency.shadowMaxIds),
      requestedAt: new Date().toISOString(),
    });
    return true;
  }
}
