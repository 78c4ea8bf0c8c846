import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { FeatureFlags, inBackfillRollout } from '../../../functions/src/flags/featureFlags';
import { flagDefaults, flagNames } from '../../../functions/src/flags/flagDefaults';
import {
  type RemoteConfigServerTemplateJson,
  type TemplateSource,
  fileTemplateSource,
} from '../../../functions/src/flags/templateSource';
import { logs } from '../../../functions/src/logs';
import { TemplateFile } from './templateFiles';

const TTL = 60_000;
let app: App;
let file: TemplateFile;
let clock: number;

beforeAll(() => {
  // Evaluation is offline; the SDK only wants an initialized app to hang on.
  app = initializeApp({ projectId: 'demo-habits' }, 'feature-flags-test');
});
afterAll(() => deleteApp(app));

beforeEach(() => {
  file = new TemplateFile();
  clock = Date.parse('2025-06-01T00:00:00Z');
  for (const name of [
    'flagTemplateLoaded',
    'flagTemplateUnavailable',
    'flagValueInvalid',
    'flagEvaluationFailed',
  ] as const) {
    jest.spyOn(logs, name).mockImplementation(() => undefined);
  }
});
afterEach(() => {
  file.remove();
  jest.restoreAllMocks();
});

function flagsFrom(source: TemplateSource = fileTemplateSource(file.path)): FeatureFlags {
  return new FeatureFlags(source, { app, cacheTtlMs: TTL, now: () => clock });
}

const allSources = (source: string) => Object.fromEntries(flagNames.map((name) => [name, source]));

describe('FeatureFlags', () => {
  it('serves the local defaults when the template sets nothing', async () => {
    file.publish({});
    const snapshot = await flagsFrom().forUser('u1');
    expect(snapshot.values).toEqual(flagDefaults);
    expect(snapshot.sources).toEqual(allSources('default'));
    expect(snapshot.templateVersion).toBe('1');
    expect(snapshot.fetchedAt).toBe('2025-06-01T00:00:00.000Z');
  });

  it('serves the committed demo template as the local defaults, from Remote Config', async () => {
    const source = fileTemplateSource(
      join(__dirname, '../../../config/remote-config.template.json'),
    );
    const snapshot = await flagsFrom(source).forUser('u1');
    expect(snapshot.values).toEqual(flagDefaults);
    expect(snapshot.sources).toEqual(allSources('remote'));
  });

  it('lets remote values override the defaults', async () => {
    file.publish({
      dualWriteEnabled: 'false',
      backfillEnabled: 'false',
      legacyReadFallbackEnabled: 'false',
      backfillRolloutPercentage: '25',
      forceMigrationComplete: 'true',
      backfillBatchSize: '1000',
      legacyTimeoutMs: '2500',
      legacyMaxRetries: 5,
      legacyCatchUpEnabled: 'false',
      legacyCatchUpIntervalMinutes: '15',
      debugLogging: 'true',
      shadowComparePercentage: '12.5',
      consistencyRepairEnabled: 'false',
    });
    const snapshot = await flagsFrom().forUser('u1');
    expect(snapshot.values).toEqual({
      dualWriteEnabled: false,
      backfillEnabled: false,
      legacyReadFallbackEnabled: false,
      backfillRolloutPercentage: 25,
      forceMigrationComplete: true,
      backfillBatchSize: 165,
      legacyTimeoutMs: 2500,
      // A JSON number where Remote Config would store "5".
      legacyMaxRetries: 5,
      legacyCatchUpEnabled: false,
      legacyCatchUpIntervalMinutes: 15,
      debugLogging: true,
      shadowComparePercentage: 12.5,
      consistencyRepairEnabled: false,
    });
    expect(snapshot.sources).toEqual(allSources('remote'));
  });

  it('falls back to the default per parameter when a remote value does not parse', async () => {
    file.publish({
      backfillRolloutPercentage: '150',
      backfillBatchSize: 'abc',
      dualWriteEnabled: 'maybe',
      legacyTimeoutMs: '2500',
    });
    const flags = flagsFrom();
    const snapshot = await flags.forUser('u1');
    expect(snapshot.values).toEqual({ ...flagDefaults, legacyTimeoutMs: 2500 });
    expect(snapshot.sources).toEqual({
      ...allSources('default'),
      backfillRolloutPercentage: 'default-invalid-remote',
      backfillBatchSize: 'default-invalid-remote',
      dualWriteEnabled: 'default-invalid-remote',
      legacyTimeoutMs: 'remote',
    });
    await flags.forUser('u2');
    // Reported once per template, not once per request.
    expect(logs.flagValueInvalid).toHaveBeenCalledTimes(3);
    expect(logs.flagValueInvalid).toHaveBeenCalledWith('backfillRolloutPercentage', '150', '1');
  });

  it('evaluates percent conditions per user, stably', async () => {
    const seed = 's1';
    file.publish(
      {},
      {
        conditions: [
          {
            name: 'tenPercent',
            condition: {
              orCondition: {
                conditions: [
                  {
                    andCondition: {
                      conditions: [
                        {
                          percent: {
                            percentOperator: 'LESS_OR_EQUAL',
                            seed,
                            microPercent: 10_000_000,
                          },
                        },
                      ],
                    },
                  },
                ],
              },
            },
          },
        ],
        parameters: {
          debugLogging: {
            defaultValue: { value: 'false' },
            conditionalValues: { tenPercent: { value: 'true' } },
          },
        },
      },
    );
    const uids = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const debugUsers = async (flags: FeatureFlags) => {
      const snapshots = await Promise.all(uids.map((uid) => flags.forUser(uid)));
      return uids.filter((_, i) => snapshots[i].values.debugLogging);
    };

    const first = await debugUsers(flagsFrom());
    expect(first.length).toBeGreaterThan(140);
    expect(first.length).toBeLessThan(260);
    // Another instance (another server) picks exactly the same users...
    expect(await debugUsers(flagsFrom())).toEqual(first);
    // ...the ones Remote Config documents: SHA-256 of "seed.randomizationId" in micro-percent.
    const expected = uids.filter((uid) => {
      const hash = BigInt(`0x${createHash('sha256').update(`${seed}.${uid}`).digest('hex')}`);
      return hash % 100_000_000n <= 10_000_000n;
    });
    expect(first).toEqual(expected);
    // Without a uid, a percent condition matches nobody.
    expect((await flagsFrom().forUser()).values.debugLogging).toBe(false);
  });

  it('puts an emergency override in force within one cache period, and not before', async () => {
    file.publish({ forceMigrationComplete: 'false', dualWriteEnabled: 'true' });
    const flags = flagsFrom();
    expect((await flags.forUser('u1')).values.forceMigrationComplete).toBe(false);

    file.publish({ forceMigrationComplete: 'true', dualWriteEnabled: 'false' });
    clock += TTL - 1;
    const before = await flags.forUser('u1');
    expect(before.values.forceMigrationComplete).toBe(false);
    expect(before.templateVersion).toBe('1');

    clock += 1;
    const after = await flags.forUser('u1');
    expect(after.values).toMatchObject({ forceMigrationComplete: true, dualWriteEnabled: false });
    expect(after.templateVersion).toBe('2');
    expect(after.fetchedAt).toBe(new Date(clock).toISOString());
    expect(logs.flagTemplateLoaded).toHaveBeenLastCalledWith('2', '1');
  });

  it.each([
    ['a missing file', () => file.remove()],
    ['invalid JSON', () => file.write('{"etag": "broken",')],
    ['a template without an etag', () => file.write('{"parameters": {}}')],
    [
      'a condition the SDK cannot evaluate',
      () =>
        file.publish(
          {},
          { conditions: [{ name: 'c', condition: { andCondition: { conditions: [null] } } }] },
        ),
    ],
  ])('keeps the last good template over %s, else the defaults', async (_, breakIt) => {
    file.publish({ backfillRolloutPercentage: '40' });
    const flags = flagsFrom();
    expect((await flags.forUser('u1')).sources.backfillRolloutPercentage).toBe('remote');

    breakIt();
    clock += TTL;
    const stale = await flags.forUser('u1');
    expect(stale.values).toEqual({ ...flagDefaults, backfillRolloutPercentage: 40 });
    expect(stale.sources).toEqual({
      ...allSources('default'),
      backfillRolloutPercentage: 'stale-remote',
    });
    expect(stale.templateVersion).toBe('1');
    expect(logs.flagTemplateUnavailable).toHaveBeenLastCalledWith(
      expect.anything(),
      'stale-remote',
      '1',
    );

    // A new instance has no good template to keep: the local defaults.
    const fresh = await flagsFrom().forUser('u1');
    expect(fresh.values).toEqual(flagDefaults);
    expect(fresh.sources).toEqual(allSources('default'));
    expect(fresh.templateVersion).toBeUndefined();
    expect(logs.flagTemplateUnavailable).toHaveBeenLastCalledWith(
      expect.anything(),
      'default',
      undefined,
    );
  });

  it('recovers once the template is fixed', async () => {
    file.write('not json');
    const flags = flagsFrom();
    expect((await flags.forUser('u1')).sources.debugLogging).toBe('default');

    file.publish({ debugLogging: 'true' });
    clock += TTL;
    const snapshot = await flags.forUser('u1');
    expect(snapshot.values.debugLogging).toBe(true);
    expect(snapshot.sources.debugLogging).toBe('remote');
  });

  it('never throws when the source does', async () => {
    const flags = flagsFrom({ load: () => Promise.reject(new Error('Remote Config down')) });
    await expect(flags.forUser('u1')).resolves.toMatchObject({ values: flagDefaults });
  });

  it('shares one load among concurrent callers, and loads once per cache period', async () => {
    file.publish({ backfillRolloutPercentage: '10' });
    const files = fileTemplateSource(file.path);
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const flags = flagsFrom({
      async load(): Promise<RemoteConfigServerTemplateJson> {
        loads += 1;
        await gate;
        return files.load();
      },
    });

    const pending = Array.from({ length: 5 }, (_, i) => flags.forUser(`u${i}`));
    release();
    const snapshots = await Promise.all(pending);
    expect(loads).toBe(1);
    for (const snapshot of snapshots) expect(snapshot.values.backfillRolloutPercentage).toBe(10);

    clock += TTL - 1;
    await flags.forUser('u1');
    expect(loads).toBe(1);
    clock += 1;
    await Promise.all([flags.forUser('u1'), flags.forUser('u2')]);
    expect(loads).toBe(2);
  });
});

describe('inBackfillRollout', () => {
  it('follows the snapshot percentage, monotonically', async () => {
    const uids = Array.from({ length: 500 }, (_, i) => `user-${i}`);
    const at = async (percentage: string) => {
      file.publish({ backfillRolloutPercentage: percentage });
      const snapshot = await flagsFrom().forUser();
      return new Set(uids.filter((uid) => inBackfillRollout(uid, snapshot)));
    };
    const [none, ten, fifty, all] = [
      await at('0'),
      await at('10'),
      await at('50'),
      await at('100'),
    ];
    expect(none.size).toBe(0);
    expect(all.size).toBe(uids.length);
    expect([...ten].every((uid) => fifty.has(uid))).toBe(true);
    expect(fifty.size).toBeGreaterThan(ten.size);
  });
});
