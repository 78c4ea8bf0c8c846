import type { LegacyStore, LegacyWrite } from '../../../functions/src/data/legacy/legacyStore';
import { LegacyStoreError } from '../../../functions/src/data/legacy/legacyErrors';
import {
  completionLogSchema,
  completionDeleteSchema,
} from '../../../functions/src/domain/completion';
import { habitCreateSchema, habitUpdateSchema } from '../../../functions/src/domain/habit';
import { differences, quiesce } from '../support/convergence/convergence';
import { dayOf } from '../support/convergence/history';
import type { World } from '../support/convergence/world';
import { inProcessSimulator } from '../support/convergence/inProcessSimulator';

/**
 * The cases the convergence issue found, each as a named scenario against the real Firestore
 * emulator and the CloudKit simulator. Each fails on the seed's delivery (replayed changes,
 * unconditional writes, blind token clears, version comparison, fallback reads blind to
 * tombstones).
 */
const simulator = inProcessSimulator();

async function world(
  options: { seed?: number; wrapLegacy?: (store: LegacyStore) => LegacyStore } = {},
): Promise<World> {
  const w = await simulator.world({
    prefix: 'regress',
    seed: options.seed ?? 7,
    scheduling: { duplicateChance: 0.5, maxConcurrency: 4, maxAttempts: 40 },
    wrapLegacy: options.wrapLegacy,
  });
  expect(await w.link()).toBe('linked');
  return w;
}

const createHabit = (w: World, id: string, name = 'Read') =>
  w.facade.createHabit(w.uid, habitCreateSchema.parse({ id, name, schedule: { type: 'daily' } }));
const rename = (w: World, id: string, name: string) =>
  w.facade.updateHabit(w.uid, habitUpdateSchema.parse({ id, name }));
const log = (w: World, habitId: string, day: number, count = 1) =>
  w.facade.logCompletion(w.uid, completionLogSchema.parse({ habitId, date: dayOf(day), count }));
const unlog = (w: World, habitId: string, day: number) =>
  w.facade.deleteCompletion(w.uid, completionDeleteSchema.parse({ habitId, date: dayOf(day) }));

async function cloudKitField(w: World, recordName: string, field: string): Promise<unknown> {
  return (await w.oldApp.records()).get(recordName)?.fields[field]?.value;
}

describe('convergence regressions', () => {
  it('a completion logged then deleted stays deleted in CloudKit, whatever order its deliveries run in', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const w = await world({ seed });
      await createHabit(w, 'h0');
      await w.afterWrite('create');
      await log(w, 'h0', 0, 2);
      await w.afterWrite('log'); // v1's drain is queued ...
      await unlog(w, 'h0', 0);
      await w.afterWrite('unlog'); // ... and v2's, to run in any order, twice, at once
      await w.scheduler.runToEmpty();
      expect((await w.oldApp.records()).has(`CD_Completion_h0_${dayOf(0)}`)).toBe(false);
      expect({ seed, left: await differences(w), trace: w.scheduler.trace }).toMatchObject({
        left: [],
      });
    }
  });

  it('a habit created and renamed twice under throttling ends at its last name in CloudKit', async () => {
    const w = await world({ seed: 11 });
    await w.sim('POST', '/__sim/faults', { kind: 'throttle', count: 6, uid: w.uid, retryAfter: 1 });
    await createHabit(w, 'h0', 'First');
    await w.afterWrite('create');
    await rename(w, 'h0', 'Second');
    await w.afterWrite('rename');
    await rename(w, 'h0', 'Third');
    await w.afterWrite('rename');
    await w.scheduler.runToEmpty();
    expect(await cloudKitField(w, 'CD_Habit_h0', 'CD_name')).toBe('Third');
    expect(w.telemetry.counts.get('legacyDelivery.delivered')).toBeGreaterThan(0);
  });

  it('single-use tokens: concurrent deliveries, a backfill and fallback reads never spend one twice', async () => {
    const w = await world({ seed: 21 });
    await w.oldApp.createHabit('h9', 'Device habit');
    for (let day = 0; day < 3; day += 1) await w.oldApp.logDay('h9', dayOf(day), 1);
    await createHabit(w, 'h0');
    await createHabit(w, 'h1');
    for (let i = 0; i < 4; i += 1) await w.afterWrite(`write ${i}`);
    await w.backfills.request(w.uid, { force: false, dryRun: false });
    // Everything at once: drains, backfill pages, and reads that fall back to CloudKit.
    // A read that waited too long for the user's conversation answers "unavailable" (retryable).
    const unlessBusy = (error: unknown) => {
      if (!(error instanceof LegacyStoreError && error.retryable)) throw error;
    };
    await Promise.all([
      w.scheduler.runToEmpty(),
      w.facade.getHabit(w.uid, 'h9').catch(unlessBusy),
      w.facade.listCompletions(w.uid, { from: dayOf(3), to: dayOf(0) }).catch(unlessBusy),
    ]);
    expect(w.telemetry.counts.get('legacyDelivery.awaiting_link') ?? 0).toBe(0);
    expect(await w.tokens.get(w.uid)).toBeDefined();
    expect((await w.states.get(w.uid)).status).toBe('completed');
  });

  it('a stale 421 or a late rotation never replaces the token the app linked since', async () => {
    const w = await world();
    const first = (await w.tokens.get(w.uid)) as string;
    await w.tokens.link(w.uid, 'linked-later');
    expect(await w.tokens.invalidate(w.uid, first)).toBe(false);
    expect(await w.tokens.rotate(w.uid, first, 'rotated-late')).toBe(false);
    expect(await w.tokens.get(w.uid)).toBe('linked-later');
    expect(await w.tokens.rotate(w.uid, 'linked-later', 'next')).toBe(true);
    expect(await w.tokens.get(w.uid)).toBe('next');
  });

  it('an API change lands though CloudKit counts a higher CD_version: edit times decide, not counters', async () => {
    const w = await world();
    await createHabit(w, 'h0', 'Mine');
    await w.afterWrite('create');
    await w.scheduler.runToEmpty();
    // The old app edits many times: its counter runs far ahead of Firestore's.
    for (const name of ['a', 'b', 'c', 'd', 'e']) await w.oldApp.renameHabit('h0', name);
    await rename(w, 'h0', 'Later on the new app');
    await w.afterWrite('rename');
    await w.scheduler.runToEmpty();
    expect(await cloudKitField(w, 'CD_Habit_h0', 'CD_name')).toBe('Later on the new app');
    expect(w.telemetry.counts.get('legacyDelivery.conflict_resolved')).toBe(1);
  });

  it("an old-app edit landing between a delivery's read and its write is not overwritten", async () => {
    let interfere: (() => Promise<void>) | undefined;
    const w = await world({
      // The device writes right after delivery has read the record and before it writes.
      wrapLegacy: (store) => ({
        listUsers: (t, n) => store.listUsers(t, n),
        readChanges: (u, c, n) => store.readChanges(u, c, n),
        lookup: (u, names) => store.lookup(u, names),
        async write(u: string, writes: LegacyWrite[]) {
          const once = interfere;
          interfere = undefined;
          if (once) await once();
          return store.write(u, writes);
        },
      }),
    });
    await createHabit(w, 'h0', 'Mine');
    await w.afterWrite('create');
    await w.scheduler.runToEmpty();
    await rename(w, 'h0', 'From the new app');
    interfere = async () => {
      await w.oldApp.renameHabit('h0', 'From the old app, later');
    };
    await w.afterWrite('rename');
    await w.scheduler.runToEmpty();
    // The device's edit is the later one: it stands in CloudKit, and the backfill brings it over.
    expect(await cloudKitField(w, 'CD_Habit_h0', 'CD_name')).toBe('From the old app, later');
    expect(await quiesce(w)).toEqual([]);
    expect((await w.facade.getHabit(w.uid, 'h0')).name).toBe('From the old app, later');
  });

  it('fallback reads never show what the user deleted, before CloudKit hears of it', async () => {
    const w = await world();
    await createHabit(w, 'h0');
    for (let day = 0; day < 3; day += 1) await log(w, 'h0', day);
    await w.afterWrite('writes');
    await w.scheduler.runToEmpty(); // CloudKit now has the habit and its days
    await w.facade.deleteHabit(w.uid, 'h0'); // not delivered yet
    await expect(w.facade.getHabit(w.uid, 'h0')).rejects.toThrow(/not found/i);
    expect(await w.facade.listCompletions(w.uid, { from: dayOf(3), to: dayOf(0) })).toEqual([]);
    expect((await w.oldApp.records()).has('CD_Habit_h0')).toBe(true);
  });

  it('XP earned and streaks changed in the new app reach the old app, and a day logged on both counts once', async () => {
    const w = await world();
    await w.oldApp.createHabit('h0', 'Shared');
    await w.oldApp.logDay('h0', dayOf(0), 3); // +30 on the device
    await w.backfills.request(w.uid, { force: false, dryRun: false });
    await w.scheduler.runToEmpty();
    await w.oldApp.logDay('h0', dayOf(1), 2); // after the copy: only CloudKit has it
    await log(w, 'h0', 1, 1); // the new app logs the same day, unaware
    await w.afterWrite('log');
    expect(await quiesce(w)).toEqual([]);
    const records = [...(await w.oldApp.records()).values()];
    expect(records.some((r) => r.recordType === 'CD_Streak')).toBe(true);
    const xp = records
      .filter((r) => r.recordType === 'CD_XPEvent')
      .reduce((sum, r) => sum + Number(r.fields.CD_amount.value), 0);
    // Day 0 counts 3, day 1 counts once with the later edit's count (1): 40 XP on both sides.
    expect(xp).toBe(40);
    expect((await w.facade.getProgress(w.uid)).progress.totalXp).toBe(40);
  });

  it('XP the old app earned for a habit deleted through the API never counts, before or after', async () => {
    const w = await world();
    await w.oldApp.createHabit('h0', 'Old');
    await w.oldApp.logDay('h0', dayOf(0), 2); // +20, migrated below
    await w.oldApp.createHabit('h1', 'Kept');
    await w.oldApp.logDay('h1', dayOf(0), 1); // +10, stays
    await w.backfills.request(w.uid, { force: false, dryRun: false });
    await w.scheduler.runToEmpty();
    await w.facade.deleteHabit(w.uid, 'h0');
    expect((await w.facade.getProgress(w.uid)).progress.totalXp).toBe(10);
    await w.oldApp.logDay('h0', dayOf(1), 3); // a device that has not synced the deletion: +30
    expect(await quiesce(w)).toEqual([]);
    expect((await w.facade.getProgress(w.uid)).progress.totalXp).toBe(10);
  });

  it('a day deleted through the API and logged again later on the old app migrates', async () => {
    const w = await world();
    await createHabit(w, 'h0');
    await log(w, 'h0', 0, 2);
    await w.afterWrite('log');
    await w.scheduler.runToEmpty();
    await unlog(w, 'h0', 0);
    await w.afterWrite('unlog');
    await w.scheduler.runToEmpty();
    await w.oldApp.logDay('h0', dayOf(0), 3); // later than the tombstone
    expect(await quiesce(w)).toEqual([]);
    const days = await w.facade.listCompletions(w.uid, {
      habitId: 'h0',
      from: dayOf(0),
      to: dayOf(0),
    });
    expect(days.map((d) => d.count)).toEqual([3]);
  });
});
