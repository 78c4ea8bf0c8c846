import { randomUUID } from 'node:crypto';
import { eventually } from '../support/eventually';
import { adminDb, docData, outboxDrained } from '../support/admin';
import {
  firstPageOnly,
  migrationState,
  publishBackfill,
  resetFlags,
  setFlags,
  verify,
  waitForCompletion,
  waitForState,
} from '../support/backfill';
import { deleteAllClients, failureOf, signedInUser } from '../support/client';
import {
  completionRecord,
  dayAfterStart,
  habitRecord,
  linkExisting,
  putLegacyRecords,
  type RawRecord,
  streakRecord,
  xpRecord,
} from '../support/legacyRecords';
import { legacyUserWithToken, sim } from '../support/simulator';

afterAll(async () => {
  await resetFlags();
  await deleteAllClients();
});

/** Two habits first in the legacy stream, then enough completions for several pages. */
function habitsThenHistory(keep: string, drop: string): RawRecord[] {
  return [
    habitRecord(keep, { name: 'Run', version: 3 }),
    habitRecord(drop, { name: 'Stretch', version: 2 }),
    // The habit the user deletes has few days: each of them becomes a legacy delete to deliver.
    ...Array.from({ length: 300 }, (_, day) => completionRecord(keep, dayAfterStart(day))),
    ...Array.from({ length: 20 }, (_, day) => completionRecord(drop, dayAfterStart(day))),
    streakRecord(keep, 40),
    streakRecord(drop, 40),
    xpRecord('opening', 50_000),
  ];
}

describe('a backfill alongside the user’s own traffic', () => {
  it('keeps edits and deletions made through the API while the migration runs', async () => {
    const user = await signedInUser();
    const [keep, drop] = [randomUUID(), randomUUID()];
    await sim('POST', '/__sim/users', { uid: user.uid });
    await putLegacyRecords(user.uid, habitsThenHistory(keep, drop));
    await linkExisting(user.uid);

    // The first page migrates the two habits; the run then goes on through Cloud Tasks.
    await firstPageOnly(user.uid);
    await publishBackfill({ type: 'user', uid: user.uid });

    // Meanwhile the user renames one habit, deletes the other and logs a new day.
    const renamed = await user.call<{ version: number; name: string }>('habits-update', {
      id: keep,
      name: 'Morning run',
    });
    expect(renamed.version).toBe(4);
    await user.call('habits-delete', { id: drop });
    const today = new Date().toISOString().slice(0, 10);
    await user.call('completions-log', { habitId: keep, date: today });

    const state = await waitForCompletion(user.uid);
    expect(state.status).toBe('completed');

    // The API's edit is newer than the legacy record: kept. The deleted habit stays deleted, and
    // none of its completions came back, whichever page they were in.
    expect(await docData(`users/${user.uid}/habits/${keep}`)).toMatchObject({
      name: 'Morning run',
      version: 4,
    });
    expect((await adminDb().doc(`users/${user.uid}/habits/${drop}`).get()).exists).toBe(false);
    // Those migrated before the deletion are purged in the background.
    await eventually(
      async () => {
        const dropped = await adminDb()
          .collection(`users/${user.uid}/completions`)
          .where('habitId', '==', drop)
          .count()
          .get();
        return dropped.data().count === 0 ? true : undefined;
      },
      { what: "the deleted habit's migrated days purged" },
    );
    expect(await docData(`users/${user.uid}/completions/${keep}_${today}`)).toBeDefined();

    // XP: the legacy opening balance plus 10 for today, less what the deleted habit's completions
    // were worth, for those of them already migrated when it was deleted (the rest never came).
    const progress = await user.call<{ progress: { totalXp: number } }>('progress-get');
    expect(progress.progress.totalXp).toBeGreaterThanOrEqual(50_000 + 10 - 20 * 10);
    expect(progress.progress.totalXp).toBeLessThanOrEqual(50_000 + 10);
    expect(progress.progress.totalXp % 10).toBe(0);

    const report = await verify(user.uid);
    expect(report.differences).toEqual([]);
    expect(report.onlyInFirestore.completions).toBeLessThanOrEqual(1);
  }, 180_000);

  it('counts the XP of a day logged on both apps once, keeping the later log', async () => {
    const user = await signedInUser();
    const [habit, filler] = [randomUUID(), randomUUID()];
    const day = dayAfterStart(10);
    await sim('POST', '/__sim/users', { uid: user.uid });
    await putLegacyRecords(user.uid, [
      habitRecord(habit),
      habitRecord(filler),
      ...Array.from({ length: 250 }, (_, n) => completionRecord(filler, dayAfterStart(n))),
      // Logged on the old app, twice over: its 20 XP are in the legacy ledger, like the rest.
      completionRecord(habit, day, { count: 2 }),
      xpRecord('ledger', 20 + 250 * 10),
    ]);
    await linkExisting(user.uid);
    await firstPageOnly(user.uid);

    // The habit is migrated, that day's legacy completion not yet: the user logs the day again.
    await user.call('completions-log', { habitId: habit, date: day, count: 3 });
    await publishBackfill({ type: 'user', uid: user.uid });
    await waitForCompletion(user.uid);

    expect(await docData(`users/${user.uid}/completions/${habit}_${day}`)).toMatchObject({
      count: 3,
    });
    // The ledger, with that day at the count that stayed: 250 filler days and 3 units, 10 XP each.
    const progress = await user.call<{ progress: { totalXp: number } }>('progress-get');
    expect(progress.progress.totalXp).toBe(250 * 10 + 3 * 10);
    // A forced re-run corrects nothing twice.
    const first = await migrationState(user.uid);
    await publishBackfill({ type: 'user', uid: user.uid, force: true });
    await waitForState(user.uid, (s) => s?.runId !== first?.runId && s?.status === 'completed');
    const again = await user.call<{ progress: { totalXp: number } }>('progress-get');
    expect(again.progress.totalXp).toBe(250 * 10 + 3 * 10);
    const report = await verify(user.uid);
    expect(report.differences).toEqual([]);
    // Delivery made CloudKit's copy of that day the later log too: both stores agree.
    await outboxDrained(user.uid);
    const { records } = await sim<{
      records: { recordName: string; fields: Record<string, { value: unknown }> }[];
    }>('GET', `/__sim/users/${user.uid}/records`);
    const legacyDay = records.find((r) => r.recordName === `CD_Completion_${habit}_${day}`);
    expect(legacyDay?.fields.CD_count.value).toBe(3);
  }, 120_000);

  it('migration-start queues the caller’s backfill only inside the rollout', async () => {
    const user = await signedInUser();
    const token = await legacyUserWithToken(user.uid);
    await putLegacyRecords(user.uid, [habitRecord(randomUUID()), xpRecord('x', 40)]);
    await user.call('legacy-link', { webAuthToken: token });

    await setFlags({ backfillRolloutPercentage: '0' });
    const outside = await failureOf(user.call('migration-start'));
    expect(outside.code).toBe('functions/failed-precondition');
    expect(outside.details).toEqual({ reason: 'not_in_rollout' });

    await setFlags({ backfillRolloutPercentage: '100', backfillEnabled: 'false' });
    const disabled = await failureOf(user.call('migration-start'));
    expect(disabled.details).toEqual({ reason: 'backfill_disabled' });
    expect(await migrationState(user.uid)).toBeUndefined();

    await setFlags({ backfillRolloutPercentage: '100' });
    const started = await user.call<{ status: string; runId: string }>('migration-start');
    expect(started.status).toBe('queued');
    const done = await waitForCompletion(user.uid);
    expect(done.runId).toBe(started.runId);
    // Asking again after completion changes nothing.
    const again = await user.call<{ status: string; runId: string }>('migration-start');
    expect(again).toMatchObject({ status: 'completed', runId: started.runId });
    expect(await user.call('migration-status')).toMatchObject({ status: 'completed' });
  }, 120_000);

  it('a fallback read queues the backfill of a user inside the rollout', async () => {
    await setFlags({ backfillRolloutPercentage: '100' });
    const user = await signedInUser();
    const token = await legacyUserWithToken(user.uid);
    const habitId = randomUUID();
    await putLegacyRecords(user.uid, [habitRecord(habitId, { name: 'Piano' })]);
    await user.call('legacy-link', { webAuthToken: token });

    const list = await user.call<{ habits: { id: string }[]; source?: string }>('habits-list', {});
    expect(list).toMatchObject({ source: 'legacy', habits: [{ id: habitId }] });

    await waitForCompletion(user.uid);
    const after = await user.call<{ habits: { id: string }[]; source?: string }>('habits-list', {});
    expect(after.source).toBeUndefined();
    expect(after.habits.map((h) => h.id)).toEqual([habitId]);
  }, 120_000);

  it('legacy-link resumes a run that waited for the link', async () => {
    const user = await signedInUser();
    await sim('POST', '/__sim/users', { uid: user.uid });
    await putLegacyRecords(user.uid, [habitRecord(randomUUID()), xpRecord('x', 10)]);
    await publishBackfill({ type: 'user', uid: user.uid });
    await waitForState(user.uid, (s) => s?.status === 'awaiting_link');

    const { webAuthToken } = await sim<{ webAuthToken: string }>('POST', '/__sim/tokens', {
      uid: user.uid,
    });
    await user.call('legacy-link', { webAuthToken });
    expect((await waitForCompletion(user.uid)).status).toBe('completed');
  }, 120_000);

  it('stops within a flag cache period when backfillEnabled goes off, and resumes', async () => {
    const user = await signedInUser();
    await sim('POST', '/__sim/users', { uid: user.uid });
    const records = habitsThenHistory(randomUUID(), randomUUID());
    await putLegacyRecords(user.uid, records);
    await linkExisting(user.uid);
    // Slow pages, so that the switch lands while the run is still going.
    await sim('POST', '/__sim/faults', {
      kind: 'delay',
      count: 3,
      delayMs: 3_000,
      pathContains: 'records/changes',
    });

    await publishBackfill({ type: 'user', uid: user.uid });
    await waitForState(user.uid, (s) => s?.status === 'running');
    await setFlags({ backfillEnabled: 'false' });
    const paused = await waitForState(user.uid, (s) => s?.lastError?.code === 'backfill_disabled');
    expect(paused.status).toBe('queued');
    const batches = paused.batches;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await migrationState(user.uid))?.batches).toBe(batches);

    await setFlags({ backfillEnabled: 'true' });
    await publishBackfill({ type: 'user', uid: user.uid });
    const state = await waitForCompletion(user.uid);
    expect(state.status).toBe('completed');
    expect(state.runId).toBe(paused.runId);
    expect((await verify(user.uid)).differences).toEqual([]);
    await sim('DELETE', '/__sim/faults');
  }, 120_000);
});
