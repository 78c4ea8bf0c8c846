import { type App, getApp, initializeApp } from 'firebase-admin/app';
import { type ServerTemplate, getRemoteConfig } from 'firebase-admin/remote-config';
import { config } from '../config';
import { inRollout } from '../domain/rollout';
import { logs } from '../logs';
import { flagDefaults } from './flagDefaults';
import { type EvaluatedFlags, defaultFlags, typedFlags } from './flagEvaluation';
import { parseTemplateJson, templateVersionOf } from './templateJson';
import type { TemplateSource } from './templateSource';

export type { FlagSource } from './flagEvaluation';
export type { FlagName, Flags } from './flagDefaults';

/** The flags in force for one user, and where each value came from. */
export interface FlagSnapshot extends EvaluatedFlags {
  /** The template the remote values came from; absent when every value is a local default. */
  templateVersion?: string;
  /** When that template was fetched (ISO-8601). */
  fetchedAt?: string;
}

export interface FeatureFlagsOptions {
  /** How long a template is trusted before the next load: the delay of an emergency override. */
  cacheTtlMs?: number;
  now?: () => number;
  /** Only gives the SDK's evaluator an app to hang on: evaluation itself makes no network call. */
  app?: App;
}

interface LoadedTemplate {
  template: ServerTemplate;
  version: string;
  fetchedAt: string;
  /** Invalid values already logged: a log line per value per template, not per request. */
  reportedInvalid: Set<string>;
}

/**
 * Remote Config server template, evaluated per user over the committed local defaults. Each
 * instance loads the template at most once per cache period; a template that cannot be loaded
 * leaves the last good one in force (its values marked 'stale-remote'), else the defaults.
 * Nothing here throws: a flag problem must never fail the request that asked.
 */
export class FeatureFlags {
  private readonly cacheTtlMs: number;
  private readonly now: () => number;
  private app: App | undefined;
  private lastGood: LoadedTemplate | undefined;
  private lastLoadFailed = false;
  private lastLoadStartedAt: number | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly source: TemplateSource,
    options: FeatureFlagsOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? config.defaultFlagCacheTtlMs;
    this.now = options.now ?? Date.now;
    this.app = options.app;
  }

  /** The flags for `uid`; without one, percent conditions match nobody. */
  async forUser(uid?: string): Promise<FlagSnapshot> {
    await this.refreshIfDue();
    const loaded = this.lastGood;
    if (!loaded) return defaultFlags();
    try {
      const evaluated = loaded.template.evaluate(uid === undefined ? {} : { randomizationId: uid });
      const flags = typedFlags(
        evaluated,
        this.lastLoadFailed ? 'stale-remote' : 'remote',
        (flag, value) => {
          const key = `${flag}=${value}`;
          if (loaded.reportedInvalid.has(key)) return;
          loaded.reportedInvalid.add(key);
          logs.flagValueInvalid(flag, value, loaded.version);
        },
      );
      return { ...flags, templateVersion: loaded.version, fetchedAt: loaded.fetchedAt };
    } catch (error) {
      logs.flagEvaluationFailed(error, loaded.version);
      return defaultFlags();
    }
  }

  private refreshIfDue(): Promise<void> {
    // Concurrent callers share the load in flight rather than each asking the source.
    if (this.loading) return this.loading;
    const now = this.now();
    // Failed loads count too: a broken source is asked again after the cache period, not on
    // every request, and the last good template serves meanwhile.
    if (this.lastLoadStartedAt !== undefined && now - this.lastLoadStartedAt < this.cacheTtlMs) {
      return Promise.resolve();
    }
    this.lastLoadStartedAt = now;
    this.loading = this.refresh().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refresh(): Promise<void> {
    try {
      const json = parseTemplateJson(await this.source.load());
      const template = getRemoteConfig(this.evaluationApp()).initServerTemplate({
        defaultConfig: flagDefaults,
        template: json,
      });
      // Conditions the SDK cannot evaluate throw on evaluate(): find out now, while the last
      // good template can still be kept, rather than on a user's request.
      template.evaluate({ randomizationId: 'feature-flags-probe' });
      const version = templateVersionOf(json);
      const previousVersion = this.lastGood?.version;
      this.lastGood = {
        template,
        version,
        fetchedAt: new Date(this.now()).toISOString(),
        reportedInvalid: new Set(),
      };
      this.lastLoadFailed = false;
      if (version !== previousVersion) logs.flagTemplateLoaded(version, previousVersion);
    } catch (error) {
      this.lastLoadFailed = true;
      logs.flagTemplateUnavailable(
        error,
        this.lastGood ? 'stale-remote' : 'default',
        this.lastGood?.version,
      );
    }
  }

  private evaluationApp(): App {
    if (!this.app) {
      try {
        this.app = getApp();
      } catch {
        // The default app is initialized lazily elsewhere too; evaluation needs only its shell.
        this.app = initializeApp();
      }
    }
    return this.app;
  }
}

/** Whether the user is inside the backfill rollout percentage of their snapshot. */
export function inBackfillRollout(uid: string, snapshot: FlagSnapshot): boolean {
  return inRollout(uid, snapshot.values.backfillRolloutPercentage);
}
