import { randomUUID } from 'node:crypto';
import { logger } from 'firebase-functions/v2';
import { startSimulator } from '../../../../tools/cloudkit-sim/src';
import { isolatedFirestore } from '../admin';
import type { SchedulerOptions } from './scheduler';
import { buildWorld, SIM_API_TOKEN, type World } from './world';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

/**
 * The Firestore emulator, but under a project of its own: the functions emulated beside these
 * tests (project demo-habits) run their outbox trigger on every user of theirs, and would deliver
 * this world's writes to their own CloudKit simulator. Here this test alone plays Cloud Tasks.
 */
const ISOLATED_PROJECT = 'demo-convergence';

const isolatedDb = () => isolatedFirestore(ISOLATED_PROJECT);

/**
 * A CloudKit simulator in this process for one test file (started before its tests, closed after),
 * and a fresh user in it for each world. The backend's structured log lines are not what these
 * tests judge: they are kept out of the output.
 */
export function inProcessSimulator(): { world: (options: WorldOptions) => Promise<World> } {
  let simulator: Simulator;
  beforeAll(async () => {
    for (const level of ['debug', 'info', 'warn'] as const) {
      jest.spyOn(logger, level).mockImplementation(() => undefined);
    }
    simulator = await startSimulator({ port: 0, apiToken: SIM_API_TOKEN });
  });
  afterAll(async () => {
    await simulator.close();
  });
  return {
    async world({ prefix, seed, scheduling, wrapLegacy }) {
      const uid = `${prefix}-${randomUUID()}`;
      await fetch(`${simulator.url}/__sim/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uid }),
      });
      return buildWorld(isolatedDb(), simulator.url, uid, seed, scheduling, wrapLegacy);
    },
  };
}

export interface WorldOptions {
  prefix: string;
  seed: number;
  scheduling: SchedulerOptions;
  wrapLegacy?: Parameters<typeof buildWorld>[5];
}
