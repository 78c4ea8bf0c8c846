import {
  type KnownStage,
  type StageInForce,
  nextStep,
  previousStep,
  stageLabel,
  stageFlags,
  stageOf,
  stepFlags,
} from '../../../functions/src/domain/rolloutStages';

const flags = stageFlags;

function known(stage: StageInForce): KnownStage {
  if (stage.name === null) throw new Error(`no stage: ${stage.problem}`);
  return stage;
}

describe('stageOf', () => {
  it.each([
    ['off', flags(false, false, false, 0, false, false)],
    ['dual_write', flags(true, true, true, 0, true, false)],
    ['backfill_rollout', flags(true, true, true, 1, true, false)],
    ['backfill_rollout', flags(true, true, true, 99, true, false)],
    ['live', flags(true, true, true, 100, true, false)],
    ['rampdown', flags(true, false, true, 100, true, false)],
    ['complete', flags(false, false, false, 100, false, true)],
  ])('names %s from the flags of the table', (name, values) => {
    expect(stageOf(values)).toEqual({
      name,
      percentage: values.backfillRolloutPercentage,
      paused: [],
    });
  });

  it('takes the committed defaults for dual_write', () => {
    expect(stageOf(flags(true, true, true, 0, true, false)).name).toBe('dual_write');
  });

  it('accepts either backfill switch in dual_write, where nobody is in the rollout', () => {
    expect(stageOf(flags(true, true, false, 0, true, false))).toEqual({
      name: 'dual_write',
      percentage: 0,
      paused: [],
    });
  });

  it('reports the emergency switches as pauses of the stage, not as no stage', () => {
    expect(stageOf(flags(true, true, false, 50, true, false))).toEqual({
      name: 'backfill_rollout',
      percentage: 50,
      paused: ['backfill'],
    });
    expect(stageOf(flags(true, true, false, 100, false, false))).toEqual({
      name: 'live',
      percentage: 100,
      paused: ['backfill', 'catch-up'],
    });
    expect(stageOf(flags(true, true, true, 0, false, false))).toMatchObject({
      name: 'dual_write',
      paused: ['catch-up'],
    });
    expect(stageOf(flags(true, false, true, 100, false, false))).toMatchObject({
      name: 'rampdown',
      paused: ['catch-up'],
    });
  });

  it.each([
    [
      flags(false, true, false, 0, false, false),
      /legacyReadFallbackEnabled is on with dualWriteEnabled off/,
    ],
    [
      flags(false, false, false, 10, false, false),
      /backfillRolloutPercentage is above 0 with dualWriteEnabled off/,
    ],
    [
      flags(false, false, false, 0, true, false),
      /legacyCatchUpEnabled is on with dualWriteEnabled off/,
    ],
    [
      flags(true, false, true, 50, true, false),
      /legacyReadFallbackEnabled is off before backfillRolloutPercentage reached 100/,
    ],
    [
      flags(false, false, false, 50, false, true),
      /forceMigrationComplete is on before backfillRolloutPercentage reached 100/,
    ],
    [
      flags(true, true, true, 100, true, true),
      /forceMigrationComplete is true where live has false/,
    ],
    [
      flags(false, false, true, 100, false, true),
      /backfillEnabled is true where complete has false/,
    ],
  ])('says why %j is no stage', (values, why) => {
    const stage = stageOf(values);
    expect(stage.name).toBeNull();
    expect(stage.name === null && stage.problem).toMatch(why);
  });
});

describe('next and previous', () => {
  const forward = [
    'off',
    'dual_write',
    'backfill_rollout 10 %',
    'backfill_rollout 50 %',
    'live',
    'rampdown',
    'complete',
  ];

  it('step through every stage and the backfill steps, and back the same way', () => {
    let stage = known(stageOf(flags(false, false, false, 0, false, false)));
    const seen = [stageLabel(stage)];
    for (let step = nextStep(stage); step; step = nextStep(stage)) {
      stage = known(stageOf(stepFlags(step)));
      expect(stage).toMatchObject(step);
      seen.push(stageLabel(stage));
    }
    expect(seen).toEqual(forward);
    const back = [stageLabel(stage)];
    for (let step = previousStep(stage); step; step = previousStep(stage)) {
      stage = known(stageOf(stepFlags(step)));
      back.push(stageLabel(stage));
    }
    expect(back).toEqual([...forward].reverse());
  });

  it('publish exactly the table for each step', () => {
    expect(stepFlags({ name: 'dual_write', percentage: 0 })).toEqual(
      flags(true, true, true, 0, true, false),
    );
    expect(stepFlags({ name: 'backfill_rollout', percentage: 50 })).toEqual(
      flags(true, true, true, 50, true, false),
    );
    expect(stepFlags({ name: 'rampdown', percentage: 100 })).toEqual(
      flags(true, false, true, 100, true, false),
    );
    expect(stepFlags({ name: 'complete', percentage: 100 })).toEqual(
      flags(false, false, false, 100, false, true),
    );
  });

  it('go to the nearest step from a percentage set by hand', () => {
    const at30 = known(stageOf(flags(true, true, true, 30, true, false)));
    expect(nextStep(at30)).toEqual({ name: 'backfill_rollout', percentage: 50 });
    expect(previousStep(at30)).toEqual({ name: 'backfill_rollout', percentage: 10 });
    const at5 = known(stageOf(flags(true, true, true, 5, true, false)));
    expect(nextStep(at5)).toEqual({ name: 'backfill_rollout', percentage: 10 });
    expect(previousStep(at5)).toEqual({ name: 'dual_write', percentage: 0 });
    const at75 = known(stageOf(flags(true, true, true, 75, true, false)));
    expect(nextStep(at75)).toEqual({ name: 'live', percentage: 100 });
  });

  it('end at complete and start at off', () => {
    expect(nextStep(known(stageOf(flags(false, false, false, 100, false, true))))).toBeNull();
    expect(previousStep(known(stageOf(flags(false, false, false, 0, false, false))))).toBeNull();
  });

  it('keep paused work paused: a switch is turned back on by its own command', () => {
    const paused = known(stageOf(flags(true, true, false, 10, true, false)));
    const next = nextStep(paused)!;
    const values = stepFlags(next, paused.paused);
    expect(values.backfillEnabled).toBe(false);
    expect(stageOf(values)).toEqual({
      name: 'backfill_rollout',
      percentage: 50,
      paused: ['backfill'],
    });
  });

  it('label a stage as an operator reads it', () => {
    expect(stageLabel(stageOf(flags(true, true, false, 100, false, false)))).toBe(
      'live (paused: backfill, catch-up)',
    );
    expect(stageLabel({ name: 'backfill_rollout', percentage: 10 })).toBe('backfill_rollout 10 %');
  });
});
