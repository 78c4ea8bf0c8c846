import { sameContent } from '../../../../functions/src/data/outbox/deliveryPlan';
import {
  readStored,
  storedCompletion,
  storedHabit,
  storedStreak,
} from '../../../../functions/src/data/firestore/storedDocuments';
import {
  completionToLegacyFields,
  habitToLegacyFields,
  streakToLegacyFields,
} from '../../../../functions/src/data/legacy/mapping/firestoreToLegacyMapper';
import type { World } from './world';

type Fields = Record<string, unknown>;

function unwrap(fields: Record<string, { value: unknown }>): Fields {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.value]));
}

/**
 * Every way CloudKit and Firestore differ for the user, by the documented rule: the same habits,
 * days and streaks with the same content (versions aside), nothing either side deleted left on
 * the other, the same XP ledger on both sides and a total equal to it, an empty outbox, and a
 * token held. Empty when they have converged.
 */
export async function differences(world: World): Promise<string[]> {
  const { db, uid } = world;
  const user = db.collection('users').doc(uid);
  const [habits, completions, streaks, xpEvents, tombstones, outbox, progress, records, token] =
    await Promise.all([
      user.collection('habits').get(),
      user.collection('completions').get(),
      user.collection('streaks').get(),
      user.collection('xpEvents').get(),
      user.collection('tombstones').get(),
      user.collection('legacyOutbox').get(),
      user.collection('meta').doc('progress').get(),
      world.oldApp.records(),
      world.tokens.get(uid),
    ]);
  const problems: string[] = [];
  const firestore = new Map<string, Fields>();
  for (const doc of habits.docs) {
    firestore.set(`CD_Habit_${doc.id}`, habitToLegacyFields(readStored(storedHabit, doc)));
  }
  for (const doc of completions.docs) {
    firestore.set(
      `CD_Completion_${doc.id}`,
      completionToLegacyFields(readStored(storedCompletion, doc)),
    );
  }
  const liveHabits = new Set(habits.docs.map((d) => d.id));
  for (const doc of streaks.docs) {
    if (!liveHabits.has(doc.id)) continue; // a removed habit's streak is ignored by every reader
    firestore.set(`CD_Streak_${doc.id}`, streakToLegacyFields(readStored(storedStreak, doc)));
  }
  const cloudKit = new Map<string, Fields>();
  let cloudKitXp = 0;
  for (const [name, record] of records) {
    const fields = unwrap(record.fields);
    if (record.recordType === 'CD_XPEvent') cloudKitXp += Number(fields.CD_amount);
    else if (record.recordType === 'CD_Streak') {
      const habit = String(fields.CD_habit).replace(/^CD_Habit_/, '');
      if (liveHabits.has(habit) || records.has(`CD_Habit_${habit}`)) cloudKit.set(name, fields);
    } else cloudKit.set(name, fields);
  }
  for (const [name, fields] of firestore) {
    const there = cloudKit.get(name);
    if (!there) problems.push(`${name} is in Firestore, not in CloudKit`);
    else if (!sameContent(fields, there)) {
      problems.push(
        `${name} differs: Firestore ${JSON.stringify(fields)} CloudKit ${JSON.stringify(there)}`,
      );
    }
  }
  for (const name of cloudKit.keys()) {
    if (!firestore.has(name)) problems.push(`${name} is in CloudKit, not in Firestore`);
  }
  for (const doc of tombstones.docs) {
    const kind = doc.get('kind') === 'habit' ? 'Habit' : 'Completion';
    if (records.has(`CD_${kind}_${doc.id}`))
      problems.push(`deleted ${doc.id} is still in CloudKit`);
  }
  const ledger = xpEvents.docs.reduce((sum, d) => sum + (d.get('delta') as number), 0);
  const total = (progress.get('totalXp') as number | undefined) ?? 0;
  if (total !== Math.max(0, ledger)) problems.push(`XP total ${total}, ledger sum ${ledger}`);
  if (cloudKitXp !== ledger) problems.push(`CloudKit XP ${cloudKitXp}, Firestore ledger ${ledger}`);
  if (!outbox.empty) {
    problems.push(
      `outbox not empty: ${outbox.docs.map((d) => `${d.id}=${d.get('status')}`).join(', ')}`,
    );
  }
  if (!token) problems.push('no web auth token held after a valid link');
  return problems;
}

/**
 * Work quiesces: faults clear, the app links once more (which asks for a catch-up of a migrated
 * user), queued work runs out; then, never forcing a re-copy, the run is finished if it is not
 * and the change feed caught up, which brings the old app's later writes over, and its own
 * deliveries drain. Returns the differences left.
 */
export async function quiesce(world: World): Promise<string[]> {
  await world.sim('DELETE', '/__sim/faults');
  const linked = await world.link();
  if (linked !== 'linked') return [`the last link was refused`];
  await world.scheduler.runToEmpty();
  let left: string[] = [];
  for (let round = 0; round < 3; round += 1) {
    const asked = await world.backfills.request(world.uid, { force: false, dryRun: false });
    if (asked.kind === 'already_completed') await world.requestCatchUp('quiesce');
    await world.scheduler.runToEmpty();
    await world.afterWrite('quiesce');
    await world.scheduler.runToEmpty();
    left = await differences(world);
    if (left.length === 0) return left;
  }
  return left;
}
