import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FlagName,
  flagDefaults,
  flagNames,
  parseFlagValue,
} from '../../../functions/src/flags/flagDefaults';

describe('flagDefaults', () => {
  it('are the committed local defaults', () => {
    expect(flagDefaults).toEqual({
      dualWriteEnabled: true,
      backfillEnabled: true,
      legacyReadFallbackEnabled: true,
      backfillRolloutPercentage: 0,
      forceMigrationComplete: false,
      backfillBatchSize: 160,
      legacyTimeoutMs: 10_000,
      legacyMaxRetries: 3,
      legacyCatchUpEnabled: true,
      legacyCatchUpIntervalMinutes: 60,
      debugLogging: false,
      shadowComparePercentage: 5,
      consistencyRepairEnabled: true,
    });
  });

  it('match the defaultValues of the committed demo template', () => {
    const template = JSON.parse(
      readFileSync(join(__dirname, '../../../config/remote-config.template.json'), 'utf8'),
    );
    expect(template.conditions).toEqual([]);
    expect(Object.keys(template.parameters).sort()).toEqual([...flagNames].sort());
    for (const name of flagNames) {
      expect(parseFlagValue(name, template.parameters[name].defaultValue.value)).toBe(
        flagDefaults[name],
      );
    }
  });
});

describe('parseFlagValue', () => {
  // prettier-ignore
  it.each<[FlagName, string, unknown]>([
    ['dualWriteEnabled', 'true', true],
    ['dualWriteEnabled', 'FALSE', false],
    ['dualWriteEnabled', '0', false],
    ['debugLogging', 'on', true],
    ['backfillRolloutPercentage', '0', 0],
    ['backfillRolloutPercentage', '12.5', 12.5],
    ['backfillRolloutPercentage', ' 100 ', 100],
    ['backfillBatchSize', '150', 150],
    ['backfillBatchSize', '1000', 165],
    ['backfillBatchSize', '0', 1],
    ['backfillBatchSize', '-5', 1],
    ['legacyTimeoutMs', '2500', 2500],
    ['legacyMaxRetries', '0', 0],
  ])('%s reads %j as %j', (name, raw, expected) => {
    expect(parseFlagValue(name, raw)).toBe(expected);
  });

  // prettier-ignore
  it.each<[FlagName, string]>([
    ['dualWriteEnabled', 'maybe'],
    ['dualWriteEnabled', ''],
    ['backfillRolloutPercentage', 'abc'],
    ['backfillRolloutPercentage', '150'],
    ['backfillRolloutPercentage', '-1'],
    ['backfillRolloutPercentage', ''],
    ['backfillRolloutPercentage', '0x10'],
    ['backfillBatchSize', '12.5'],
    ['legacyTimeoutMs', '0'],
    ['legacyTimeoutMs', '1e4'],
    ['legacyMaxRetries', '11'],
    ['legacyMaxRetries', '2.5'],
  ])('%s rejects %j', (name, raw) => {
    expect(parseFlagValue(name, raw)).toBeUndefined();
  });
});
