import fc from 'fast-check';
import { inProcessSimulator } from '../support/convergence/inProcessSimulator';
import { quiesce } from '../support/convergence/convergence';
import {
  type History,
  historyArbitrary,
  ReadYourWritesModel,
  checkWinners,
  runStep,
  SETUP,
} from '../support/convergence/history';

/**
 * The convergence claim (docs/architecture.md, invariant 7), tried hard: random histories of API
 * writes, old-app writes straight to CloudKit (before, during and after the first copy), backfill
 * runs, catch-ups of the change feed (asked by operators and by links), token expiry, CloudKit
 * faults, all under a scheduler that reorders, duplicates, overlaps and retries tasks as Cloud
 * Tasks may. At every read, read-your-writes holds; once work quiesces, both sides are equal.
 *
 * CONVERGENCE_RUNS sets the number of histories (npm run soak: thousands); a failure prints its
 * seed and path, and CONVERGENCE_SEED plus CONVERGENCE_PATH replay it (npm run test:convergence).
 */
const runs = Number(process.env.CONVERGENCE_RUNS ?? 300);
const seed =
  process.env.CONVERGENCE_SEED === undefined ? undefined : Number(process.env.CONVERGENCE_SEED);
const path = process.env.CONVERGENCE_PATH;

const simulator = inProcessSimulator();

const stats = { histories: 0, longest: 0, steps: 0, deliveries: new Map<string, number>() };

async function play(history: History): Promise<void> {
  const world = await simulator.world({
    prefix: 'conv',
    seed: history.seed,
    scheduling: {
      duplicateChance: 0.25,
      maxConcurrency: Number(process.env.CONVERGENCE_CONCURRENCY ?? 3),
      maxAttempts: 40,
    },
  });
  const { uid } = world;
  const model = new ReadYourWritesModel();
  const trace: string[] = [];
  try {
    await world.link();
    for (const step of [...SETUP, ...history.steps]) {
      const started = Date.now();
      trace.push(`${JSON.stringify(step)} -> (running)`);
      const done = await runStep(world, model, step);
      trace.pop();
      trace.push(`${JSON.stringify(step)} -> ${done} (${Date.now() - started} ms)`);
    }
    const started = Date.now();
    const left = await quiesce(world);
    trace.push(`quiesce (${Date.now() - started} ms)`);
    if (process.env.CONVERGENCE_TIMING) process.stdout.write(`${trace.join('\n')}\n\n`);
    if (left.length > 0) throw new Error(`did not converge:\n  ${left.join('\n  ')}`);
    const lost = await checkWinners(world, model);
    if (lost.length > 0) {
      const edits = [...model.last].map(([id, e]) => `${id}: ${JSON.stringify(e)}`).join('\n  ');
      throw new Error(
        `converged, but not by the rule:\n  ${lost.join('\n  ')}\n  last edits:\n  ${edits}`,
      );
    }
  } catch (error) {
    const tasks = world.scheduler.trace.slice(-40).join('\n    ');
    throw new Error(
      `${(error as Error).message}\n  uid ${uid}\n  steps:\n    ${trace.join('\n    ')}\n  last tasks:\n    ${tasks}`,
    );
  }
  stats.histories += 1;
  stats.steps += history.steps.length;
  stats.longest = Math.max(stats.longest, history.steps.length);
  for (const [key, n] of world.telemetry.counts) {
    if (key.startsWith('legacyDelivery.') || key.startsWith('catchUp.'))
      stats.deliveries.set(key, (stats.deliveries.get(key) ?? 0) + n);
  }
}

/** Histories of different users run side by side: more histories per minute, and more overlap. */
const PARALLEL = 3;

describe('convergence under adversarial scheduling (model-based)', () => {
  it(`CloudKit ends equal to Firestore, and reads never go back, over ${runs} histories`, async () => {
    const together = fc.array(historyArbitrary, { minLength: PARALLEL, maxLength: PARALLEL });
    await fc.assert(
      fc.asyncProperty(together, async (histories) => {
        await Promise.all(histories.map(play));
      }),
      {
        numRuns: Math.ceil(runs / PARALLEL),
        ...(seed !== undefined && { seed }),
        ...(path !== undefined && { path }),
        endOnFailure: process.env.CONVERGENCE_SHRINK === '0',
      },
    );
    process.stdout.write(
      `convergence: ${stats.histories} histories, ${stats.steps} steps, longest ${stats.longest}; ` +
        `deliveries and catch-ups ${JSON.stringify(Object.fromEntries(stats.deliveries))}\n`,
    );
  }, 3_600_000);
});
