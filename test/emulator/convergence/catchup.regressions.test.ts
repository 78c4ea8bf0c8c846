import type { LegacyStore } from '../../../functions/src/data/legacy/legacyStore';
import { completionLogSchema } from '../../../functions/src/domain/completion';
import { habitCreateSchema, habitUpdateSchema } from '../../../functions/src/domain/habit';
import { differences, quiesce } from '../support/convergence/convergence';
import { dayOf } from '../support/convergence/history';
import { inProcessSimulator } from '../support/convergence/inProcessSimulator';
import type { World } from '../support/convergence/world';

/**
 * Catch-up (docs/architecture.md, invariant 9) under the scheduler that reorders, duplicates and
 * overlaps tasks: concurrent edits in both apps while a pass runs, passes overlapping each other
 * and a forced re-run, single-use tokens, and this backend's own writes coming back through the
 * feed.
 */
const simulator = inProcessSimulator();

/** Lets a test step in right after a catch-up (or backfill) page was read, before it commits. */
function afterFeedRead(hook: { once?: () => Promise<void> }) {
  return (store: LegacyStore): LegacyStore => ({
    listUsers: (t, n) => store.listUsers(t, n),
    lookup: (u, names) => store.lookup(u, names),
    write: (u, writes) => store.write(u, writes),
    async readChanges(u, cursor, limit) {
      const page = await store.readChanges(u, cursor, limit);
      const once = hook.once;
      hook.once = undefined;
      if (once) await once();
      return page;
    },
  });
}

async function migratedWorld(seed: number, hook: { once?: () => Promise<void> } = {}) {
  const w = await simulator.world({
    prefix: 'catchup',
    seed,
    scheduling: { duplicateChance: 0.5, maxConcurrency: 4, maxAttempts: 40 },
    wrapLegacy: afterFeedRead(hook),
  });
  expect(await w.link()).toBe('linked');
  await w.oldApp.createHabit('h0', 'On the device');
  await w.oldApp.logDay('h0', dayOf(3), 1);
  await w.facade.createHabit(
    w.uid,
    habitCreateSchema.parse({ id: 'h1', name: 'In the new app', schedule: { type: 'daily' } }),
  );
  await w.afterWrite('create');
  await w.backfills.request(w.uid, { force: false, dryRun: false });
  await w.scheduler.runToEmpty();
  expect((await w.states.get(w.uid)).status).toBe('completed');
  return w;
}

const rename = (w: World, id: string, name: string) =>
  w.facade.updateHabit(w.uid, habitUpdateSchema.parse({ id, name }));

async function cloudKitName(w: World, id: string): Promise<unknown> {
  return (await w.oldApp.records()).get(`CD_Habit_${id}`)?.fields.CD_name?.value;
}

async function bothSides(w: World, id: string) {
  return {
    firestore: (await w.facade.getHabit(w.uid, id)).name,
    cloudKit: await cloudKitName(w, id),
  };
}

describe('catch-up under concurrency', () => {
  it.each([1, 2, 3])(
    'an edit in the new app during a catch-up, later than the device edit it read, wins on both sides (seed %i)',
    async (seed) => {
      const hook: { once?: () => Promise<void> } = {};
      const w = await migratedWorld(seed, hook);
      await w.oldApp.renameHabit('h0', 'Device, earlier');
      // The pass has read the device's edit; before it commits, the user renames in the new app.
      hook.once = async () => {
        await rename(w, 'h0', 'New app, later');
        await w.afterWrite('rename');
      };
      await w.requestCatchUp('link');
      await w.requestCatchUp('operator'); // a duplicate request, overlapping
      await w.scheduler.runToEmpty();

      expect(hook.once).toBeUndefined();
      expect(await bothSides(w, 'h0')).toEqual({
        firestore: 'New app, later',
        cloudKit: 'New app, later',
      });
      expect(await differences(w)).toEqual([]);
    },
  );

  it.each([4, 5, 6])(
    'a device edit later than an undelivered edit in the new app wins on both sides (seed %i)',
    async (seed) => {
      const hook: { once?: () => Promise<void> } = {};
      const w = await migratedWorld(seed, hook);
      await rename(w, 'h1', 'New app, earlier'); // pending in the outbox, no drain run yet
      // The device edits later, right after a catch-up pass read the feed (the next pass sees it).
      hook.once = async () => {
        await w.oldApp.renameHabit('h1', 'Device, later');
      };
      await w.requestCatchUp('operator');
      await w.afterWrite('rename'); // the delivery races the catch-ups
      await w.scheduler.runToEmpty();
      await w.requestCatchUp('link');
      await w.scheduler.runToEmpty();

      expect(await bothSides(w, 'h1')).toEqual({
        firestore: 'Device, later',
        cloudKit: 'Device, later',
      });
      expect(await differences(w)).toEqual([]);
    },
  );

  it('overlapping, duplicated catch-ups with single-use tokens apply each change once', async () => {
    const w = await migratedWorld(7);
    for (let day = 0; day < 3; day += 1) await w.oldApp.logDay('h0', dayOf(day), 2);
    const before = (await w.states.get(w.uid)).catchUp;

    // Five requests at once, run up to four at a time, some delivered twice; a link among them.
    for (const source of ['a', 'b', 'c', 'd']) await w.requestCatchUp(source);
    await Promise.all([w.link(), w.scheduler.runToEmpty()]);
    await w.scheduler.runToEmpty();

    const after = (await w.states.get(w.uid)).catchUp;
    // Each device change was read by exactly one committed page.
    expect((after?.counts?.completions ?? 0) - (before?.counts?.completions ?? 0)).toBe(3);
    expect((after?.counts?.xp ?? 0) - (before?.counts?.xp ?? 0)).toBe(3);
    expect(w.telemetry.counts.get('catchUp.awaiting_link') ?? 0).toBe(0);
    expect(await w.tokens.get(w.uid)).toBeDefined();
    // 10 XP from the first copy, 3 days of 20 since: counted once each.
    expect((await w.facade.getProgress(w.uid)).progress.totalXp).toBe(70);
    expect(await differences(w)).toEqual([]);
  });

  it('a pass that stalled past its lease cannot commit its page beside the pass that took over', async () => {
    const hook: { once?: () => Promise<void> } = {};
    const w = await migratedWorld(10, hook);
    await w.scheduler.runToEmpty();
    for (let day = 0; day < 2; day += 1) await w.oldApp.logDay('h0', dayOf(day), 1);
    const before = (await w.states.get(w.uid)).catchUp;
    let takeover: string | undefined;
    hook.once = async () => {
      // The first pass stalls after its read: its lease expires and another pass takes over.
      await w.db.collection('catchUps').doc(w.uid).delete();
      takeover = await w.catchUp.run({ uid: w.uid, requestedAt: new Date().toISOString() });
    };
    const first = await w.catchUp.run({ uid: w.uid, requestedAt: new Date().toISOString() });

    // The stalled pass's commit is refused (the cursor moved); it reads on from where the other
    // left, and finds nothing more.
    expect({ takeover, first }).toEqual({ takeover: 'caught_up', first: 'caught_up' });
    const after = (await w.states.get(w.uid)).catchUp;
    expect((after?.counts?.completions ?? 0) - (before?.counts?.completions ?? 0)).toBe(2);
    expect((await w.facade.getProgress(w.uid)).progress.totalXp).toBe(30);
    expect(await quiesce(w)).toEqual([]);
  });

  it('a habit the old app deleted, edited in the new app since, comes back with its streak on both sides', async () => {
    const w = await migratedWorld(11);
    expect((await w.oldApp.records()).has('CD_Streak_h1')).toBe(true);
    await w.oldApp.deleteHabit('h1'); // Core Data cascades: the habit and its streak record go
    await rename(w, 'h1', 'Kept by the new app'); // later, and not delivered yet
    await w.requestCatchUp('operator');
    await w.afterWrite('rename');
    await w.scheduler.runToEmpty();

    const records = await w.oldApp.records();
    expect(records.get('CD_Habit_h1')?.fields.CD_name?.value).toBe('Kept by the new app');
    expect(records.has('CD_Streak_h1')).toBe(true);
    expect(await differences(w)).toEqual([]);
  });

  it('a day the old app logged before the API deleted its habit goes on both sides, though a later rename brings the habit back', async () => {
    const w = await migratedWorld(13);
    await w.facade.logCompletion(
      w.uid,
      completionLogSchema.parse({ habitId: 'h1', date: dayOf(1), count: 1 }),
    );
    await w.afterWrite('log');
    await w.scheduler.runToEmpty(); // delivered: both sides hold that day
    await w.oldApp.logDay('h1', dayOf(0), 1); // before the deletion, not caught up yet
    await w.facade.deleteHabit(w.uid, 'h1');
    await w.oldApp.renameHabit('h1', 'Renamed on the device'); // later: the habit comes back
    await w.afterWrite('delete');
    await w.requestCatchUp('operator');
    await w.scheduler.runToEmpty();
    await w.requestCatchUp('operator');
    await w.scheduler.runToEmpty();

    const records = await w.oldApp.records();
    expect(records.get('CD_Habit_h1')?.fields.CD_name?.value).toBe('Renamed on the device');
    expect(records.has(`CD_Completion_h1_${dayOf(0)}`)).toBe(false);
    expect(records.has(`CD_Completion_h1_${dayOf(1)}`)).toBe(false);
    expect(await differences(w)).toEqual([]);
  });

  it("this backend's own deliveries come back through the feed and are skipped, not applied", async () => {
    const w = await migratedWorld(8);
    await rename(w, 'h1', 'Renamed in the new app');
    await w.facade.logCompletion(
      w.uid,
      completionLogSchema.parse({ habitId: 'h1', date: dayOf(0), count: 1 }),
    );
    await w.afterWrite('writes');
    await w.scheduler.runToEmpty(); // delivered: CloudKit now holds them, with our change tags
    const version = (await w.facade.getHabit(w.uid, 'h1')).version;
    const before = (await w.states.get(w.uid)).catchUp;

    await w.requestCatchUp('operator');
    await w.scheduler.runToEmpty();

    const after = (await w.states.get(w.uid)).catchUp;
    // The habit, the day, its XP event and the streak came back: all recognised as ours.
    expect((after?.echoes ?? 0) - (before?.echoes ?? 0)).toBeGreaterThanOrEqual(4);
    expect((after?.counts?.habits ?? 0) - (before?.counts?.habits ?? 0)).toBe(0);
    expect((after?.counts?.completions ?? 0) - (before?.counts?.completions ?? 0)).toBe(0);
    expect((await w.facade.getHabit(w.uid, 'h1')).version).toBe(version);
    expect((await w.facade.getProgress(w.uid)).progress.totalXp).toBe(20);
    expect(await differences(w)).toEqual([]);
  });

  it("a forced re-run that starts while a catch-up reads drops the catch-up's page", async () => {
    const hook: { once?: () => Promise<void> } = {};
    const w = await migratedWorld(9, hook);
    await w.oldApp.logDay('h0', dayOf(0), 1);
    hook.once = async () => {
      await w.backfills.request(w.uid, { force: true, dryRun: false });
    };
    await w.requestCatchUp('operator');
    await w.scheduler.runToEmpty();

    expect(hook.once).toBeUndefined();
    expect(w.scheduler.trace.some((line) => line.includes('"superseded"'))).toBe(true);
    expect((await w.states.get(w.uid)).status).toBe('completed');
    // 10 XP from the first copy, 10 for the day since: the day counted once, by the re-run.
    expect((await w.facade.getProgress(w.uid)).progress.totalXp).toBe(20);
    expect(await quiesce(w)).toEqual([]);
  });
});
