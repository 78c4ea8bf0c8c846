import { config } from '../../config';
import { type Gate, failingGates } from '../../domain/rolloutGates';
import {
  type KnownStage,
  type StageInForce,
  type StageStep,
  previousStep,
  stageLabel,
  stageOf,
  stageSummary,
  stepFlags,
} from '../../domain/rolloutStages';
import { logs } from '../../logs';
import { rolloutReport } from '../../migration/rollout/rolloutReport';
import { EXIT, type OpsContext, OpsError } from '../opsContext';

type Print = (line: string) => void;

export interface RolloutOptions {
  json?: boolean;
  since?: Date;
  force?: boolean;
}

const STATUS_WORD = { pass: 'PASS', fail: 'FAIL', no_data: 'N/A' } as const;

/** `stage: live (paused: backfill) — every user is in ...`, or why the flags are no stage. */
export function stageLine(stage: StageInForce): string {
  if (stage.name === null) return `stage: none: ${stage.problem}`;
  return `stage: ${stageLabel(stage)} — ${stageSummary(stage.name)}`;
}

export function gateLines(gates: readonly Gate[]): string[] {
  const width = Math.max(0, ...gates.map((gate) => gate.name.length));
  return gates.map(
    (gate) =>
      `  ${STATUS_WORD[gate.status].padEnd(4)}  ${gate.name.padEnd(width)}  ${gate.figure} (${gate.target})`,
  );
}

async function currentReport(ctx: OpsContext, options: RolloutOptions) {
  const snapshot = await ctx.featureFlags().forUser();
  const now = new Date();
  const since = options.since ?? new Date(now.getTime() - config.rollout.windowMs);
  const report = await rolloutReport(ctx.db, snapshot.values, { since, now });
  return { report, templateVersion: snapshot.templateVersion ?? null };
}

/** `rollout status`: the stage in force and each gate that holds it. */
export async function rolloutStatus(ctx: OpsContext, options: RolloutOptions, print: Print) {
  const { report, templateVersion } = await currentReport(ctx, options);
  if (options.json) {
    print(JSON.stringify({ ...report, templateVersion }));
    return EXIT.ok;
  }
  print(stageLine(report.stage));
  print(`template version: ${templateVersion ?? '(none: local defaults)'}`);
  const { stage } = report;
  if (stage.name === null) {
    print('no gates: set the flags of a stage with `flags set` (docs/operations.md §3)');
    return EXIT.ok;
  }
  const steps = [
    report.next && `next: ${stageLabel(report.next)}`,
    report.previous && `back: ${stageLabel(report.previous)}`,
  ].filter(Boolean);
  if (steps.length > 0) print(steps.join('; '));
  if (report.gates.length === 0) {
    print(report.next ? `no gates to leave ${stage.name}` : `${stage.name} is the last stage`);
    return EXIT.ok;
  }
  print(`gates to leave ${stageLabel(stage)}, telemetry from ${report.since} to ${report.until}:`);
  gateLines(report.gates).forEach((line) => print(line));
  const failing = failingGates(report.gates).length;
  print(
    failing === 0
      ? 'every gate passes: `rollout next` may go on'
      : `${failing} failing: \`rollout next\` refuses (--force overrides)`,
  );
  return EXIT.ok;
}

/**
 * Moving needs the template really in force: flags that fell back to the committed defaults
 * (a template that could not be read) would name the wrong stage to step from.
 */
function requireTemplate(templateVersion: string | undefined | null) {
  if (!templateVersion) {
    throw new OpsError(
      'cannot read the flags template in force (see `flags`): nothing published',
      EXIT.unreachable,
    );
  }
}

function requireStage(stage: StageInForce) {
  if (stage.name === null) {
    throw new OpsError(
      `no stage in force (${stage.problem}): set the flags of a stage with \`flags set\` first`,
      EXIT.problem,
    );
  }
  return stage;
}

async function publishStep(
  ctx: OpsContext,
  step: StageStep,
  from: KnownStage,
  description: string,
  print: Print,
) {
  const values = stepFlags(step, from.paused);
  const { version } = await ctx.templatePublisher().publish(values, description);
  print(`published template version ${version}: ${stageLabel(step)} — ${stageSummary(step.name)}`);
  print(
    `the functions take it within their flag cache period (${config.defaultFlagCacheTtlMs / 1000} s unless FLAG_CACHE_TTL_SECONDS says otherwise)`,
  );
  return version;
}

/** `rollout next`: the next stage, only if every gate passes, unless forced. */
export async function rolloutNext(ctx: OpsContext, options: RolloutOptions, print: Print) {
  const { report, templateVersion } = await currentReport(ctx, options);
  requireTemplate(templateVersion);
  const stage = requireStage(report.stage);
  const to = report.next;
  if (!to) throw new OpsError(`${stage.name} is the last stage`, EXIT.problem);
  const from = stageLabel(stage);
  const failing = failingGates(report.gates);
  if (failing.length > 0 && !options.force) {
    if (options.json) {
      print(JSON.stringify({ moved: false, from: stage, to, failing }));
      return EXIT.problem;
    }
    throw new OpsError(
      [
        `not moving from ${from} to ${stageLabel(to)}: ${failing.length} gates fail`,
        ...failing.map((gate) => `  ${gate.name}: ${gate.figure} (${gate.target})`),
        'nothing published; `rollout status` shows every gate, --force publishes anyway',
      ].join('\n'),
      EXIT.problem,
    );
  }
  if (failing.length > 0) {
    if (!options.json) {
      print(`overriding ${failing.length} failing gates:`);
      gateLines(failing).forEach((line) => print(line));
    }
    logs.rolloutGatesOverridden(from, stageLabel(to), failing);
  }
  const forced =
    failing.length > 0 ? ` (forced past: ${failing.map((g) => g.name).join(', ')})` : '';
  const quiet: Print = options.json ? () => {} : print;
  const version = await publishStep(
    ctx,
    to,
    stage,
    `ops rollout next: ${from} -> ${stageLabel(to)}${forced}`,
    quiet,
  );
  if (options.json)
    print(JSON.stringify({ moved: true, from: stage, to, overridden: failing, version }));
  return EXIT.ok;
}

/** `rollout back`: the previous stage's flags, without gates: going back is the way out of trouble. */
export async function rolloutBack(ctx: OpsContext, options: RolloutOptions, print: Print) {
  const snapshot = await ctx.featureFlags().forUser();
  requireTemplate(snapshot.templateVersion);
  const stage = requireStage(stageOf(snapshot.values));
  const to = previousStep(stage);
  if (!to) throw new OpsError(`${stage.name} is the first stage`, EXIT.problem);
  const quiet: Print = options.json ? () => {} : print;
  const from = stageLabel(stage);
  const version = await publishStep(
    ctx,
    to,
    stage,
    `ops rollout back: ${from} -> ${stageLabel(to)}`,
    quiet,
  );
  if (options.json) print(JSON.stringify({ moved: true, from: stage, to, version }));
  return EXIT.ok;
}
