import { readFileSync } from 'node:fs';
import { FeatureFlags } from '../../../functions/src/flags/featureFlags';
import {
  InvalidFlagValues,
  fileTemplatePublisher,
} from '../../../functions/src/flags/templatePublisher';
import { fileTemplateSource } from '../../../functions/src/flags/templateSource';
import { logs } from '../../../functions/src/logs';
import { TemplateFile } from './templateFiles';

let file: TemplateFile;
beforeEach(() => {
  jest.spyOn(logs, 'flagTemplateLoaded').mockImplementation(() => undefined);
  file = new TemplateFile();
  file.publish({ dualWriteEnabled: 'true', backfillBatchSize: '160' });
});
afterEach(() => {
  file.remove();
  jest.restoreAllMocks();
});

const read = () => JSON.parse(readFileSync(file.path, 'utf8'));

describe('fileTemplatePublisher', () => {
  it('publishes a new version that the functions read, keeping the other values', async () => {
    const before = read();
    const published = await fileTemplatePublisher(file.path).publish(
      { dualWriteEnabled: false, backfillRolloutPercentage: 10 },
      'ops rollout next',
    );
    const after = read();
    expect(published).toEqual({ version: '2' });
    expect(after.version).toMatchObject({ versionNumber: '2', description: 'ops rollout next' });
    expect(Date.parse(after.version.updateTime)).not.toBeNaN();
    expect(after.etag).not.toBe(before.etag);
    expect(after.parameters.backfillBatchSize).toEqual(before.parameters.backfillBatchSize);

    const flags = await new FeatureFlags(fileTemplateSource(file.path)).forUser();
    expect(flags.templateVersion).toBe('2');
    expect(flags.values).toMatchObject({
      dualWriteEnabled: false,
      backfillRolloutPercentage: 10,
      backfillBatchSize: 160,
    });
    expect(flags.sources.backfillRolloutPercentage).toBe('remote');
  });

  it('writes each value as the value it stands for', async () => {
    await fileTemplatePublisher(file.path).publish({ dualWriteEnabled: 'off' }, 'test');
    expect(read().parameters.dualWriteEnabled.defaultValue).toEqual({ value: 'false' });
  });

  it.each([
    [{ dualWriteEnabled: 'maybe' }, /dualWriteEnabled=maybe/],
    [{ backfillRolloutPercentage: '150' }, /backfillRolloutPercentage=150/],
    [{ dualWriteEnabled: 'false', noSuchFlag: 'true' }, /noSuchFlag is not a flag/],
    [{}, /no flag values given/],
  ])('publishes nothing when a value is bad: %j', async (values, message) => {
    const before = readFileSync(file.path, 'utf8');
    const publishing = fileTemplatePublisher(file.path).publish(values, 'test');
    await expect(publishing).rejects.toThrow(InvalidFlagValues);
    await expect(publishing).rejects.toThrow(message);
    expect(readFileSync(file.path, 'utf8')).toBe(before);
  });
});
