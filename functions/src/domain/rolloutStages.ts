/**
 * The migration's rollout stages as one table (docs/operations.md §3): which values of the six
 * stage flags each stage publishes and which it accepts, so that `ops rollout` can name the stage
 * in force from the flags alone and step to the next or previous one. Pure: no Firebase.
 */

/** The flags a stage sets; the others (batch size, timeouts, ...) are no stage's business. */
export interface StageFlags {
  dualWriteEnabled: boolean;
  legacyReadFallbackEnabled: boolean;
  backfillEnabled: boolean;
  backfillRolloutPercentage: number;
  legacyCatchUpEnabled: boolean;
  forceMigrationComplete: boolean;
}
export type StageFlagName = keyof StageFlags;

export const stageNames = [
  'off',
  'dual_write',
  'backfill_rollout',
  'live',
  'rampdown',
  'complete',
] as const;
export type StageName = (typeof stageNames)[number];

type BooleanFlag = Exclude<StageFlagName, 'backfillRolloutPercentage'>;
const booleanFlags: readonly BooleanFlag[] = [
  'dualWriteEnabled',
  'legacyReadFallbackEnabled',
  'backfillEnabled',
  'legacyCatchUpEnabled',
  'forceMigrationComplete',
];

/**
 * The seed's emergency switches: turned off where the stage wants them on, they pause that work
 * without leaving the stage (docs/operations.md §4), so they are reported, not taken for a
 * different combination.
 */
export const pauseSwitches = {
  backfillEnabled: 'backfill',
  legacyCatchUpEnabled: 'catch-up',
} as const;
export type PausedWork = (typeof pauseSwitches)[keyof typeof pauseSwitches];
type PauseSwitch = keyof typeof pauseSwitches;
const isPauseSwitch = (flag: StageFlagName): flag is PauseSwitch => flag in pauseSwitches;

interface StageRow {
  name: StageName;
  /** What an operator reads next to the name. */
  summary: string;
  /** What `next`/`previous` publish to enter the stage (backfill_rollout: at its step's percentage). */
  publishes: StageFlags;
  /** The percentages the stage accepts, inclusive. */
  percentage: { min: number; max: number };
  /** Flags whose value the stage does not look at. */
  anyValue: readonly StageFlagName[];
}

const ON = true;
const OFF = false;

/**
 * | stage            | dual-write | fallback | backfill | percentage | catch-up | force |
 * | off              | off        | off      | off      | 0          | off      | off   |
 * | dual_write       | on         | on       | any (on) | 0          | on       | off   |
 * | backfill_rollout | on         | on       | on       | 1-99       | on       | off   |
 * | live             | on         | on       | on       | 100        | on       | off   |
 * | rampdown         | on         | off      | on       | 100        | on       | off   |
 * | complete         | off        | off      | off      | 100        | off      | on    |
 * dual_write ignores the backfill switch: at 0 % only users an operator names are backfilled.
 * rampdown keeps dual-write (and catch-up) so that going back to live loses nothing.
 */
const stageTable: readonly StageRow[] = [
  {
    name: 'off',
    summary: 'the stores are not connected: no dual-write, fallback, backfill or catch-up',
    publishes: stageFlags(OFF, OFF, OFF, 0, OFF, OFF),
    percentage: { min: 0, max: 0 },
    anyValue: [],
  },
  {
    name: 'dual_write',
    summary: 'writes reach both stores; nobody is in the backfill rollout',
    publishes: stageFlags(ON, ON, ON, 0, ON, OFF),
    percentage: { min: 0, max: 0 },
    anyValue: ['backfillEnabled'],
  },
  {
    name: 'backfill_rollout',
    summary: 'a share of users is backfilled; the rest read CloudKit through the fallback',
    publishes: stageFlags(ON, ON, ON, 10, ON, OFF),
    percentage: { min: 1, max: 99 },
    anyValue: [],
  },
  {
    name: 'live',
    summary: 'every user is in the backfill rollout, with the legacy read fallback',
    publishes: stageFlags(ON, ON, ON, 100, ON, OFF),
    percentage: { min: 100, max: 100 },
    anyValue: [],
  },
  {
    name: 'rampdown',
    summary: 'fallback off; dual-write kept so that going back to live loses nothing',
    publishes: stageFlags(ON, OFF, ON, 100, ON, OFF),
    percentage: { min: 100, max: 100 },
    anyValue: [],
  },
  {
    name: 'complete',
    summary: 'Firestore only: no dual-write, fallback or catch-up for anyone',
    publishes: stageFlags(OFF, OFF, OFF, 100, OFF, ON),
    percentage: { min: 100, max: 100 },
    anyValue: [],
  },
];

/** The percentages `next` steps through inside backfill_rollout, lowest first. */
export const BACKFILL_STEPS: readonly number[] = [10, 50];

/** A stage's six flags, in the order of the table above. */
export function stageFlags(
  dualWriteEnabled: boolean,
  legacyReadFallbackEnabled: boolean,
  backfillEnabled: boolean,
  backfillRolloutPercentage: number,
  legacyCatchUpEnabled: boolean,
  forceMigrationComplete: boolean,
): StageFlags {
  return {
    dualWriteEnabled,
    legacyReadFallbackEnabled,
    backfillEnabled,
    backfillRolloutPercentage,
    legacyCatchUpEnabled,
    forceMigrationComplete,
  };
}

const rowOf = (name: StageName): StageRow => stageTable.find((row) => row.name === name)!;

export const stageSummary = (name: StageName): string => rowOf(name).summary;

/** The stage in force, or why the flags are no stage. */
export type StageInForce =
  { name: StageName; percentage: number; paused: PausedWork[] } | { name: null; problem: string };

/** A stage the flags are in; `paused` names the work its emergency switches hold. */
export type KnownStage = Extract<StageInForce, { name: StageName }>;

/** Where the flags differ from what a stage accepts, pauses aside. */
function mismatches(row: StageRow, values: StageFlags): StageFlagName[] {
  const out: StageFlagName[] = [];
  for (const flag of booleanFlags) {
    if (row.anyValue.includes(flag) || values[flag] === row.publishes[flag]) continue;
    if (isPauseSwitch(flag) && row.publishes[flag] && !values[flag]) continue;
    out.push(flag);
  }
  const pct = values.backfillRolloutPercentage;
  if (pct < row.percentage.min || pct > row.percentage.max) out.push('backfillRolloutPercentage');
  return out;
}

function pausedIn(row: StageRow, values: StageFlags): PausedWork[] {
  return (Object.keys(pauseSwitches) as PauseSwitch[])
    .filter((flag) => !row.anyValue.includes(flag) && row.publishes[flag] && !values[flag])
    .map((flag) => pauseSwitches[flag]);
}

/**
 * Combinations no stage has, with why they matter: checked first so the operator reads the
 * consequence, not only the nearest stage's wish list.
 */
const contradictions: readonly { holds: (f: StageFlags) => boolean; why: string }[] = [
  {
    holds: (f) => f.legacyReadFallbackEnabled && !f.dualWriteEnabled && !f.forceMigrationComplete,
    why: 'legacyReadFallbackEnabled is on with dualWriteEnabled off: fallback reads of CloudKit would miss every write made since',
  },
  {
    holds: (f) =>
      f.backfillRolloutPercentage > 0 && !f.dualWriteEnabled && !f.forceMigrationComplete,
    why: 'backfillRolloutPercentage is above 0 with dualWriteEnabled off: migrated users would stop reaching the old app',
  },
  {
    holds: (f) => f.legacyCatchUpEnabled && !f.dualWriteEnabled,
    why: 'legacyCatchUpEnabled is on with dualWriteEnabled off: CloudKit is followed but no longer written',
  },
  {
    holds: (f) =>
      !f.legacyReadFallbackEnabled && f.dualWriteEnabled && f.backfillRolloutPercentage < 100,
    why: 'legacyReadFallbackEnabled is off before backfillRolloutPercentage reached 100: users outside the rollout would not see their CloudKit data',
  },
  {
    holds: (f) => f.forceMigrationComplete && f.backfillRolloutPercentage < 100,
    why: 'forceMigrationComplete is on before backfillRolloutPercentage reached 100: users never backfilled would lose their CloudKit data',
  },
];

/** The stage the flags are in, or why they are in none. */
export function stageOf(values: StageFlags): StageInForce {
  for (const row of stageTable) {
    if (mismatches(row, values).length === 0) {
      return {
        name: row.name,
        percentage: values.backfillRolloutPercentage,
        paused: pausedIn(row, values),
      };
    }
  }
  const reasons = contradictions.filter((c) => c.holds(values)).map((c) => c.why);
  if (reasons.length > 0) return { name: null, problem: reasons.join('; ') };
  // Otherwise the stage that the fewest flags miss, and what it wants of them.
  const nearest = stageTable
    .map((row) => ({ row, off: mismatches(row, values) }))
    .reduce((best, candidate) => (candidate.off.length < best.off.length ? candidate : best));
  const wants = nearest.off.map((flag) => {
    const range = nearest.row.percentage;
    const wanted =
      flag === 'backfillRolloutPercentage'
        ? range.min === range.max
          ? String(range.min)
          : `${range.min}-${range.max}`
        : String(nearest.row.publishes[flag]);
    return `${flag} is ${String(values[flag])} where ${nearest.row.name} has ${wanted}`;
  });
  return { name: null, problem: `no stage has these flags: ${wants.join(', ')}` };
}

/** One place in the sequence `next` and `previous` walk: a stage, at its percentage. */
export interface StageStep {
  name: StageName;
  percentage: number;
}

const steps: readonly StageStep[] = stageTable.flatMap((row) =>
  row.name === 'backfill_rollout'
    ? BACKFILL_STEPS.map((percentage) => ({ name: row.name, percentage }))
    : [{ name: row.name, percentage: row.publishes.backfillRolloutPercentage }],
);

const order = (step: StageStep) =>
  stageNames.indexOf(step.name) * 1000 + (step.name === 'backfill_rollout' ? step.percentage : 0);

/** The step after the one in force (inside backfill_rollout, the next higher step); null at the end. */
export function nextStep(current: KnownStage): StageStep | null {
  return steps.find((step) => order(step) > order(current)) ?? null;
}

/** The step before the one in force (inside backfill_rollout, the next lower step); null at the start. */
export function previousStep(current: KnownStage): StageStep | null {
  return [...steps].reverse().find((step) => order(step) < order(current)) ?? null;
}

/**
 * The flag values that enter `step`. Work the current stage has paused stays paused where the
 * step wants it on: an emergency switch is turned back on by its own command, never as a side
 * effect of moving between stages.
 */
export function stepFlags(step: StageStep, paused: readonly PausedWork[] = []): StageFlags {
  const values = { ...rowOf(step.name).publishes, backfillRolloutPercentage: step.percentage };
  for (const [flag, work] of Object.entries(pauseSwitches) as [PauseSwitch, PausedWork][]) {
    if (paused.includes(work)) values[flag] = false;
  }
  return values;
}

/** How an operator reads a stage: `backfill_rollout 10 %`, `live (paused: backfill)`. */
export function stageLabel(stage: StageInForce | StageStep): string {
  if (stage.name === null) return `no stage (${stage.problem})`;
  const name =
    stage.name === 'backfill_rollout' ? `${stage.name} ${stage.percentage} %` : stage.name;
  const paused =
    'paused' in stage && stage.paused.length > 0 ? ` (paused: ${stage.paused.join(', ')})` : '';
  return `${name}${paused}`;
}
