import fc from 'fast-check';
import {
  completionLogSchema,
  completionDeleteSchema,
} from '../../../../functions/src/domain/completion';
import { DomainError } from '../../../../functions/src/domain/errors';
import { LegacyStoreError } from '../../../../functions/src/data/legacy/legacyErrors';
import { habitCreateSchema, habitUpdateSchema } from '../../../../functions/src/domain/habit';
import { addDays, localDayAt } from '../../../../functions/src/domain/localDay';
import type { World } from './world';

const HABITS = ['h0', 'h1', 'h2', 'h3', 'h4'] as const;
/** The API creates h0-h2; the old app creates h3-h4, and may touch any habit it has. */
const API_HABITS = [0, 1, 2] as const;
const NAMES = ['Read', 'Run', 'Rest'] as const;
/** `slow`: CloudKit answers writes late, so the old app's writes land between a read and a write. */
const FAULTS = ['throttle', 'unavailable', 'timeout', 'reset', 'http500', 'slow'] as const;

export type ApiStep =
  | { t: 'apiCreate'; h: number }
  | { t: 'apiRename'; h: number; name: number }
  | { t: 'apiDelete'; h: number }
  | { t: 'apiLog'; h: number; day: number; count: number }
  | { t: 'apiUnlog'; h: number; day: number };

export type AppStep =
  | { t: 'appCreate'; h: number }
  | { t: 'appRename'; h: number; name: number }
  | { t: 'appLog'; h: number; day: number; count: number }
  | { t: 'appUnlog'; h: number; day: number }
  | { t: 'appDeleteHabit'; h: number };

export type Step =
  | ApiStep
  | AppStep
  | { t: 'backfill'; force: boolean }
  /** An operator's catch-up request: the old app's later writes come over by the change feed. */
  | { t: 'catchup' }
  /** The first copy finishes now, so that the steps after it meet a migrated user. */
  | { t: 'migrate' }
  | { t: 'run'; rounds: number }
  /** A write on either side (or a link) while the queue runs: deliveries and pages race it. */
  | { t: 'overlap'; api: ApiStep | AppStep | { t: 'link' }; rounds: number; lagMs: number }
  | { t: 'link' }
  | { t: 'fault'; kind: (typeof FAULTS)[number]; count: number }
  | { t: 'expireToken' }
  | { t: 'read' };

/** Mostly the habits both sides hold from the setup, so edits meet each other. */
const habit = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1, 3), weight: 5 },
  { arbitrary: fc.constantFrom(2, 4), weight: 1 },
);
const apiHabit = fc.constantFrom(...API_HABITS);
const day = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1), weight: 3 },
  { arbitrary: fc.constantFrom(2, 3), weight: 1 },
);
const count = fc.integer({ min: 1, max: 3 });
const name = fc.integer({ min: 0, max: NAMES.length - 1 });

const apiStep: fc.Arbitrary<ApiStep> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('apiCreate' as const), h: apiHabit }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('apiRename' as const), h: habit, name }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('apiDelete' as const), h: habit }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('apiLog' as const), h: habit, day, count }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('apiUnlog' as const), h: habit, day }), weight: 2 },
);

const appStep: fc.Arbitrary<AppStep> = fc.oneof(
  {
    arbitrary: fc.record({ t: fc.constant('appCreate' as const), h: fc.constantFrom(3, 4) }),
    weight: 1,
  },
  { arbitrary: fc.record({ t: fc.constant('appRename' as const), h: habit, name }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('appLog' as const), h: habit, day, count }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('appUnlog' as const), h: habit, day }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('appDeleteHabit' as const), h: habit }), weight: 1 },
);

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: apiStep, weight: 6 },
  { arbitrary: appStep, weight: 6 },
  { arbitrary: fc.record({ t: fc.constant('backfill' as const), force: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('catchup' as const) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('migrate' as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('run' as const),
      rounds: fc.integer({ min: 1, max: 6 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('overlap' as const),
      api: fc.oneof(
        { arbitrary: apiStep, weight: 3 },
        { arbitrary: appStep, weight: 3 },
        { arbitrary: fc.record({ t: fc.constant('link' as const) }), weight: 1 },
      ),
      rounds: fc.integer({ min: 1, max: 3 }),
      lagMs: fc.integer({ min: 0, max: 120 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ t: fc.constant('link' as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('fault' as const),
      kind: fc.constantFrom(...FAULTS),
      count: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant('expireToken' as const) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('read' as const) }), weight: 2 },
);

/**
 * Every history starts from a user with data on both sides: habits made in the new app (h0, h1)
 * and in the old one (h3 with two days), so generated steps mostly meet records that exist.
 */
export const SETUP: readonly Step[] = [
  { t: 'apiCreate', h: 0 },
  { t: 'apiCreate', h: 1 },
  { t: 'appCreate', h: 3 },
  { t: 'appLog', h: 3, day: 0, count: 2 },
  { t: 'appLog', h: 3, day: 1, count: 1 },
];

export const historyArbitrary = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 16, size: 'medium' }),
});
export type History = { seed: number; steps: Step[] };

type Last =
  { op: 'upsert'; at: number; name?: string; count?: number } | { op: 'delete'; at: number };

/**
 * What the user was told (acknowledged API writes) and when the old app last touched each record:
 * enough to judge every read against read-your-writes, allowing only what the conflict rule
 * allows (a later old-app edit may replace or remove what the API wrote).
 */
export class ReadYourWritesModel {
  readonly api = new Map<string, Last>();
  readonly app = new Map<string, number>();
  /** The last edit of each record on either side, with its edit time: the conflict rule's winner. */
  readonly last = new Map<string, Last & { side: 'api' | 'app' }>();
  /** Habits deleted on either side at some point: their days follow the deletion, not edit times. */
  readonly habitsEverDeleted = new Set<string>();

  appTouched(id: string): void {
    this.app.set(id, Date.now());
  }

  /** An acknowledged API write: what the user was told, and an edit for the conflict rule. */
  told(id: string, edit: Last): void {
    this.api.set(id, edit);
    this.edited('api', id, edit);
  }

  edited(side: 'api' | 'app', id: string, edit: Last): void {
    const before = this.last.get(id);
    // Same millisecond on both sides: Firestore wins the tie.
    if (before && (before.at > edit.at || (before.at === edit.at && before.side === 'api'))) return;
    this.last.set(id, { ...edit, side });
  }

  laterOnApp(id: string, at: number): boolean {
    return (this.app.get(id) ?? -1) >= at;
  }
}

export function dayOf(offset: number): string {
  return addDays(localDayAt(new Date(), 'UTC'), -offset);
}

const expected = (error: unknown) => error instanceof DomainError;
/** CloudKit down during a fallback read: the app gets a retryable error, never wrong data. */
const unavailable = (error: unknown) => error instanceof LegacyStoreError && error.retryable;

/**
 * Runs an API deletion and says when it deleted, or undefined when it was the harmless repeat of
 * one already made (the API answers both alike): a repeat is no new edit for the conflict rule.
 */
async function deletion(
  world: World,
  collection: 'habits' | 'completions',
  id: string,
  call: () => Promise<unknown>,
): Promise<number | undefined> {
  const user = world.db.collection('users').doc(world.uid);
  const since = new Date().toISOString();
  const existed = (await user.collection(collection).doc(id).get()).exists;
  await call();
  const tombstone = await user.collection('tombstones').doc(id).get();
  const deletedAt = tombstone.get('deletedAt') as string | undefined;
  if (deletedAt && deletedAt >= since) return Date.parse(deletedAt);
  return existed ? Date.now() : undefined;
}

/** One API step through the facade, as the callables call it; refusals are answers, not faults. */
async function apiWrite(world: World, model: ReadYourWritesModel, step: ApiStep): Promise<string> {
  const { facade, uid } = world;
  const id = HABITS[step.h];
  try {
    switch (step.t) {
      case 'apiCreate': {
        const at = Date.now();
        const created = await facade.createHabit(
          uid,
          habitCreateSchema.parse({ id, name: NAMES[0], schedule: { type: 'daily' } }),
        );
        if (created.createdAt >= new Date(at).toISOString()) {
          const edit = {
            op: 'upsert',
            at: Date.parse(created.updatedAt),
            name: created.name,
          } as const;
          model.told(id, edit);
        }
        return 'created';
      }
      case 'apiRename': {
        const habitDone = await facade.updateHabit(
          uid,
          habitUpdateSchema.parse({ id, name: NAMES[step.name] }),
        );
        const edit = {
          op: 'upsert',
          at: Date.parse(habitDone.updatedAt),
          name: habitDone.name,
        } as const;
        model.told(id, edit);
        return 'renamed';
      }
      case 'apiDelete': {
        const deleted = await deletion(world, 'habits', id, () => facade.deleteHabit(uid, id));
        if (deleted === undefined) return 'already deleted: no edit';
        model.told(id, { op: 'delete', at: deleted });
        model.habitsEverDeleted.add(id);
        return 'deleted';
      }
      case 'apiLog': {
        const date = dayOf(step.day);
        const logged = await facade.logCompletion(
          uid,
          completionLogSchema.parse({ habitId: id, date, count: step.count }),
        );
        const edit = {
          op: 'upsert',
          at: Date.parse(logged.completion.updatedAt),
          count: logged.completion.count,
        } as const;
        model.told(logged.completion.id, edit);
        return 'logged';
      }
      case 'apiUnlog': {
        const date = dayOf(step.day);
        const cid = `${id}_${date}`;
        const deleted = await deletion(world, 'completions', cid, () =>
          facade.deleteCompletion(uid, completionDeleteSchema.parse({ habitId: id, date })),
        );
        if (deleted === undefined) return 'already deleted: no edit';
        model.told(cid, { op: 'delete', at: deleted });
        return 'unlogged';
      }
    }
  } catch (error) {
    if (expected(error)) return `refused: ${(error as Error).name}`;
    throw error;
  }
}

/** Reads through the facade and judges each answer against what the user was told. */
export async function checkReads(world: World, model: ReadYourWritesModel): Promise<string[]> {
  const { facade, uid } = world;
  const problems: string[] = [];
  for (const id of HABITS) {
    const told = model.api.get(id);
    if (!told) continue;
    let found: { name: string; updatedAt: string } | undefined;
    try {
      found = await facade.getHabit(uid, id);
    } catch (error) {
      if (unavailable(error)) continue;
      if (!expected(error)) throw error;
    }
    if (told.op === 'delete' && found && !model.laterOnApp(id, told.at)) {
      problems.push(`habit ${id} deleted through the API is still read (${found.name})`);
    }
    if (told.op === 'upsert') {
      if (!found && !model.laterOnApp(id, told.at)) {
        problems.push(`habit ${id} written through the API is not found`);
      } else if (found && found.name !== told.name && Date.parse(found.updatedAt) <= told.at) {
        problems.push(`habit ${id} reads '${found.name}', older than the API's '${told.name}'`);
      }
    }
    let completions;
    try {
      completions = await facade.listCompletions(uid, {
        habitId: id,
        from: dayOf(3),
        to: dayOf(0),
      });
    } catch (error) {
      if (unavailable(error)) continue;
      throw error;
    }
    const byId = new Map(completions.map((c) => [c.id, c]));
    for (let d = 0; d <= 3; d += 1) {
      const cid = `${id}_${dayOf(d)}`;
      const day = model.api.get(cid);
      if (!day) continue;
      const read = byId.get(cid);
      const habitGoneSince =
        (told.op === 'delete' && told.at >= day.at) || model.laterOnApp(id, day.at);
      if (day.op === 'delete' && read && !model.laterOnApp(cid, day.at)) {
        problems.push(`completion ${cid} deleted through the API is still listed`);
      }
      if (day.op === 'upsert' && !habitGoneSince) {
        if (!read && !model.laterOnApp(cid, day.at)) {
          problems.push(`completion ${cid} logged through the API is not listed`);
        } else if (read && read.count !== day.count && Date.parse(read.updatedAt) <= day.at) {
          problems.push(
            `completion ${cid} lists count ${read.count}, older than the API's ${day.count}`,
          );
        }
      }
    }
  }
  return problems;
}

async function inject(world: World, kind: (typeof FAULTS)[number], count: number): Promise<void> {
  const fault =
    kind === 'timeout'
      ? { kind: 'delay', delayMs: 700 }
      : kind === 'slow'
        ? { kind: 'delay', delayMs: 150, pathContains: 'records/modify' }
        : { kind, retryAfter: 1 };
  await world.sim('POST', '/__sim/faults', { ...fault, count, uid: world.uid });
}

/** One write of the old app, recorded as an edit (with the device's clock) when it happened. */
async function appWrite(world: World, model: ReadYourWritesModel, step: AppStep): Promise<string> {
  const app = world.oldApp;
  const id = HABITS[step.h];
  const cid = 'day' in step ? `${id}_${dayOf(step.day)}` : '';
  const wrote = (done: string) => !done.startsWith('no such');
  switch (step.t) {
    case 'appCreate':
    case 'appRename': {
      model.appTouched(id);
      const name = step.t === 'appCreate' ? NAMES[0] : NAMES[step.name];
      const done =
        step.t === 'appCreate' ? await app.createHabit(id, name) : await app.renameHabit(id, name);
      if (wrote(done)) model.edited('app', id, { op: 'upsert', at: app.lastWriteAt, name });
      return done;
    }
    case 'appLog': {
      model.appTouched(cid);
      const done = await app.logDay(id, dayOf(step.day), step.count);
      if (wrote(done))
        model.edited('app', cid, { op: 'upsert', at: app.lastWriteAt, count: step.count });
      return done;
    }
    case 'appUnlog': {
      model.appTouched(cid);
      const done = await app.deleteDay(id, dayOf(step.day));
      if (wrote(done)) model.edited('app', cid, { op: 'delete', at: app.lastWriteAt });
      return done;
    }
    case 'appDeleteHabit': {
      model.appTouched(id);
      for (let d = 0; d <= 3; d += 1) model.appTouched(`${id}_${dayOf(d)}`);
      const done = await app.deleteHabit(id);
      if (wrote(done)) {
        model.habitsEverDeleted.add(id);
        model.edited('app', id, { op: 'delete', at: app.lastWriteAt });
      }
      return done;
    }
  }
}

/**
 * After convergence, each record shows its latest edit on either side (the conflict rule), where
 * the rule is that simple: edits against edits, and deletions through the API. A deletion on the
 * old app against a pending API edit, and days of a deleted habit, follow the rule's other lines
 * and are left to the equality check.
 */
export async function checkWinners(world: World, model: ReadYourWritesModel): Promise<string[]> {
  const user = world.db.collection('users').doc(world.uid);
  const problems: string[] = [];
  for (const [id, last] of model.last) {
    const isDay = id.includes('_');
    const habitId = isDay ? id.slice(0, id.lastIndexOf('_')) : id;
    if (isDay && model.habitsEverDeleted.has(habitId)) continue;
    if (last.op === 'delete' && last.side === 'app') continue;
    const snap = await user
      .collection(isDay ? 'completions' : 'habits')
      .doc(id)
      .get();
    if (last.op === 'delete') {
      if (snap.exists) problems.push(`${id} was last deleted (${last.side}) but exists`);
      continue;
    }
    const shown = isDay ? snap.get('count') : snap.get('name');
    const wanted = isDay ? last.count : last.name;
    if (!snap.exists)
      problems.push(`${id}: the last edit (${last.side}) is lost: the record is gone`);
    else if (shown !== wanted) {
      problems.push(
        `${id} shows ${String(shown)}, the last edit (${last.side}) made it ${String(wanted)}`,
      );
    }
  }
  return problems;
}

/** Runs one step; returns what happened, for the trace of a failing history. */
export async function runStep(
  world: World,
  model: ReadYourWritesModel,
  step: Step,
): Promise<string> {
  switch (step.t) {
    case 'apiCreate':
    case 'apiRename':
    case 'apiDelete':
    case 'apiLog':
    case 'apiUnlog': {
      const done = await apiWrite(world, model, step);
      await world.afterWrite(step.t);
      // Read-your-writes right after each acknowledged write, not only at the end.
      const problems = await checkReads(world, model);
      if (problems.length > 0) throw new Error(`read-your-writes broken: ${problems.join('; ')}`);
      return done;
    }
    case 'appCreate':
    case 'appRename':
    case 'appLog':
    case 'appUnlog':
    case 'appDeleteHabit':
      return appWrite(world, model, step);
    case 'backfill':
      return (await world.backfills.request(world.uid, { force: step.force, dryRun: false })).kind;
    case 'catchup':
      await world.requestCatchUp('operator');
      return 'catch-up requested';
    case 'migrate': {
      const asked = await world.backfills.request(world.uid, { force: false, dryRun: false });
      await world.scheduler.runToEmpty();
      return `${asked.kind}, then ${(await world.states.get(world.uid)).status}`;
    }
    case 'run':
      for (let i = 0; i < step.rounds; i += 1) await world.scheduler.step();
      return `ran ${step.rounds} rounds, ${world.scheduler.size} queued`;
    case 'overlap': {
      const { api } = step;
      const [done] = await Promise.all([
        // After a lag, so the write can fall between a task's read and its write.
        (async () => new Promise((resolve) => setTimeout(resolve, step.lagMs)))().then(() =>
          api.t === 'link'
            ? world.link()
            : api.t.startsWith('app')
              ? appWrite(world, model, api as AppStep)
              : apiWrite(world, model, api as ApiStep),
        ),
        (async () => {
          for (let i = 0; i < step.rounds; i += 1) await world.scheduler.step();
        })(),
      ]);
      await world.afterWrite('overlap');
      return `${api.t} ${done} while ${step.rounds} rounds ran`;
    }
    case 'link':
      return world.link();
    case 'fault':
      await inject(world, step.kind, step.count);
      return `${step.count} x ${step.kind}`;
    case 'expireToken':
      await world.sim('POST', '/__sim/tokens/expire', { uid: world.uid });
      return 'token expired';
    case 'read': {
      const problems = await checkReads(world, model);
      if (problems.length > 0) throw new Error(`read-your-writes broken: ${problems.join('; ')}`);
      return 'reads ok';
    }
  }
}
