import { stageOf } from '../../domain/rolloutStages';
import { inBackfillRollout } from '../../flags/featureFlags';
import type { OpsContext } from '../opsContext';
import { stageLine } from './rolloutCommand';

type Print = (line: string) => void;

/** The flags in force (for one user, if given) and where each value came from. */
export async function flags(
  ctx: OpsContext,
  options: { uid?: string; json?: boolean },
  print: Print,
) {
  const snapshot = await ctx.featureFlags().forUser(options.uid);
  const answer = {
    ...(options.uid !== undefined && {
      uid: options.uid,
      inBackfillRollout: inBackfillRollout(options.uid, snapshot),
    }),
    flags: snapshot.values,
    sources: snapshot.sources,
    templateVersion: snapshot.templateVersion ?? null,
    stage: stageOf(snapshot.values),
  };
  if (options.json) {
    print(JSON.stringify(answer));
    return;
  }
  print(`template version: ${answer.templateVersion ?? '(none: local defaults)'}`);
  print(stageLine(answer.stage));
  const width = Math.max(...Object.keys(snapshot.values).map((name) => name.length));
  for (const [name, value] of Object.entries(snapshot.values)) {
    const source = snapshot.sources[name as keyof typeof snapshot.sources];
    print(`  ${name.padEnd(width)} ${String(value).padEnd(8)} (${source})`);
  }
  if (options.uid !== undefined) {
    print(
      `${options.uid} is ${answer.inBackfillRollout ? 'inside' : 'outside'} the backfill rollout`,
    );
  }
}
