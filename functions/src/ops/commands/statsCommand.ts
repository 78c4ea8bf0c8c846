import { subtractCounters } from '../../domain/migrationStats';
import {
  readStatsCounters,
  recountStats,
  writeStatsCounters,
} from '../../migration/migrationStatsCounters';
import { EXIT, type OpsContext } from '../opsContext';

type Print = (line: string) => void;

/**
 * The migration statistics' counters against a recount of every real run's state: states written
 * before the counters existed (or by hand) are in the recount only. `rebuild` replaces the
 * counters with the recount. Exit 1 when they differ and were left as they are.
 */
export async function stats(
  ctx: OpsContext,
  options: { rebuild?: boolean; json?: boolean },
  print: Print,
): Promise<number> {
  const recount = await recountStats(ctx.db);
  const differences = subtractCounters(recount.totals, await readStatsCounters(ctx.db));
  const differ = Object.keys(differences).length > 0;
  if (options.rebuild) await writeStatsCounters(ctx.db, recount.totals);
  if (options.json) {
    print(JSON.stringify({ states: recount.states, differences, rebuilt: !!options.rebuild }));
  } else {
    print(`${recount.states} migration states recounted`);
    for (const [counter, n] of Object.entries(differences)) {
      print(`  ${counter}: counters ${n > 0 ? 'short by' : 'over by'} ${Math.abs(n)}`);
    }
    if (!differ) print('the counters match the recount');
    else if (options.rebuild) print('the counters now hold the recount');
  }
  return differ && !options.rebuild ? EXIT.problem : EXIT.ok;
}
