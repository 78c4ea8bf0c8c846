import { type FlagName, parseFlagValue } from '../../flags/flagDefaults';
import { InvalidFlagValues } from '../../flags/templatePublisher';
import { stageOf } from '../../domain/rolloutStages';
import { EXIT, type OpsContext, OpsError } from '../opsContext';
import { stageLine } from './rolloutCommand';

type Print = (line: string) => void;

/** `name=value` arguments as a map; a malformed one is a usage error before anything is read. */
export function flagAssignments(args: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new OpsError(`expected name=value, got "${arg}"`, EXIT.usage);
    values[arg.slice(0, at)] = arg.slice(at + 1);
  }
  return values;
}

/**
 * `flags set name=value ...`: publishes single flags, the emergency switches of docs/operations.md
 * §4 as one command each. Every value is checked first: one bad value publishes nothing.
 */
export async function flagsSet(
  ctx: OpsContext,
  args: readonly string[],
  options: { reason?: string },
  print: Print,
) {
  const values = flagAssignments(args);
  const current = await ctx.featureFlags().forUser();
  const description = `ops flags set ${args.join(' ')}${options.reason ? `: ${options.reason}` : ''}`;
  let version: string;
  try {
    ({ version } = await ctx.templatePublisher().publish(values, description));
  } catch (error) {
    if (error instanceof InvalidFlagValues) throw new OpsError(error.message, EXIT.usage);
    throw error;
  }
  const after = { ...current.values };
  for (const [name, raw] of Object.entries(values)) {
    Object.assign(after, { [name]: parseFlagValue(name as FlagName, raw) });
  }
  print(`published template version ${version}: ${args.join(' ')}`);
  print(stageLine(stageOf(after)));
}
