import { flagDefaults } from '../../../functions/src/flags/flagDefaults';
import { randomUUID } from 'node:crypto';
import { adminDb, collectionIds, docData } from '../support/admin';
import {
  isFinished,
  migrationState,
  publishBackfill,
  verify,
  waitForCompletion,
  waitForState,
  expectExactCopy,
} from '../support/backfill';
import {
  completionRecord,
  dayAfterStart,
  everyRecordType,
  habitRecord,
  linkedLegacyUser,
  putLegacyRecords,
  type RawRecord,
  streakRecord,
  xpRecord,
} from '../support/legacyRecords';
import { sim } from '../support/simulator';

afterEach(() => sim('DELETE', '/__sim/faults'));

describe('backfill golden scenarios', () => {
  it('migrates a user with every record type, references out of order, exactly once', async () => {
    const uid = await linkedLegacyUser();
    const habitId = randomUUID();
    const records = everyRecordType(habitId);
    await putLegacyRecords(uid, records);

    await publishBackfill({ type: 'user', uid });
    const state = await waitForCompletion(uid);

    expect(state.status).toBe('completed');
    expect(state.counts).toEqual({
      habits: 1,
      completions: 2,
      xp: 2,
      streaks: 1,
      deleted: 0,
      skipped: 0,
      quarantined: 0,
    });
    expect(state.leaseOwner).toBeNull();
    expect(state.durationMs).toBeGreaterThanOrEqual(0);
    expectExactCopy(await verify(uid), records.length);

    // Legacy XP is the opening balance; migrated completions add none of their own.
    expect(await docData(`users/${uid}/meta/progress`)).toMatchObject({
      totalXp: 150,
      legacyXp: 150,
      level: 2,
    });
    // Two completed days in 2025 give a run of 2; the legacy store's longest (12) is kept.
    expect(await docData(`users/${uid}/streaks/${habitId}`)).toMatchObject({
      habitId,
      longest: 12,
      current: 0,
      lastCompletedDate: '2025-01-05',
    });
  });

  it('changes nothing when the same message is published three times', async () => {
    const uid = await linkedLegacyUser();
    const records = everyRecordType(randomUUID());
    await putLegacyRecords(uid, records);

    await Promise.all([1, 2, 3].map(() => publishBackfill({ type: 'user', uid })));
    const first = await waitForCompletion(uid);
    await publishBackfill({ type: 'user', uid });
    // A completed run is not run again without `force`: give the message time to be handled.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const state = await migrationState(uid);
    expect(state?.runId).toBe(first.runId);
    expect(state?.completedAt).toBe(first.completedAt);
    expect(state?.counts).toEqual(first.counts);
    expectExactCopy(await verify(uid), records.length);
    expect(await collectionIds(`users/${uid}/xpEvents`)).toHaveLength(2);
  });

  it('re-runs a completed migration with force and still counts XP once', async () => {
    const uid = await linkedLegacyUser();
    const records = everyRecordType(randomUUID());
    await putLegacyRecords(uid, records);
    await publishBackfill({ type: 'user', uid });
    const first = await waitForCompletion(uid);

    await publishBackfill({ type: 'user', uid, force: true });
    const second = await waitForState(
      uid,
      (s) => s?.runId !== first.runId && s?.status === 'completed',
    );

    expect(second.counts).toEqual(first.counts);
    expect((await docData(`users/${uid}/meta/progress`))?.totalXp).toBe(150);
    expectExactCopy(await verify(uid), records.length);
  });

  it('migrates a user of 20,000 records in pages of at most backfillBatchSize', async () => {
    const uid = await linkedLegacyUser();
    const habits = Array.from({ length: 20 }, () => randomUUID());
    const records: RawRecord[] = habits.flatMap((id) => [
      habitRecord(id),
      streakRecord(id, 3),
      ...Array.from({ length: 1_000 }, (_, day) => completionRecord(id, dayAfterStart(day))),
    ]);
    records.push(xpRecord('big-opening', 200_000));
    await putLegacyRecords(uid, records);

    await publishBackfill({ type: 'user', uid });
    const state = await waitForCompletion(uid, { timeoutMs: 540_000 });

    expect(state.status).toBe('completed');
    expect(state.counts).toMatchObject({ habits: 20, completions: 20_000, xp: 1, streaks: 20 });
    // At the default batch size the run had to take this many pages, none of them larger.
    expect(state.batches).toBe(Math.ceil(records.length / flagDefaults.backfillBatchSize));
    expectExactCopy(await verify(uid), records.length);
    // 1,000 consecutive days: the recomputed run beats the legacy record of 3.
    expect(await docData(`users/${uid}/streaks/${habits[0]}`)).toMatchObject({ longest: 1_000 });
  }, 600_000);

  it('quarantines corrupted records with the reason and migrates the rest', async () => {
    const uid = await linkedLegacyUser();
    const habitId = randomUUID();
    const good = everyRecordType(habitId);
    const broken: RawRecord[] = [
      // Not a habit at all: the name says habit, the fields say nothing usable.
      {
        recordName: 'CD_Habit_bad-1',
        recordType: 'CD_Habit',
        fields: { CD_name: { value: 7, type: 'INT64' } },
      },
      // A completion whose id does not match its habit and date.
      {
        ...completionRecord(habitId, '2025-02-01'),
        recordName: `CD_Completion_${habitId}_2025-02-02`,
      },
    ];
    await putLegacyRecords(uid, [...good, ...broken]);
    // And one the simulator corrupts on the way out, as a damaged record would arrive.
    await sim('POST', '/__sim/faults', {
      kind: 'corrupt',
      recordName: good[3].recordName,
    });

    await publishBackfill({ type: 'user', uid });
    const state = await waitForCompletion(uid);

    expect(state.status).toBe('completed_with_errors');
    expect(state.counts?.quarantined).toBe(3);
    const errors = await collectionIds(`users/${uid}/migrationErrors`);
    expect(errors).toEqual(
      [broken[0].recordName, broken[1].recordName, good[3].recordName]
        .map(encodeURIComponent)
        .sort(),
    );
    const reason = (
      await docData(`users/${uid}/migrationErrors/${encodeURIComponent(broken[1].recordName)}`)
    )?.reason;
    expect(reason).toMatch(/CD_id/);
    // Everything readable is in Firestore; every unreadable record is accounted for.
    const report = await verify(uid);
    expect(report.differences).toEqual([]);

    // The damage was in transit: once the record reads again, a forced re-run migrates it.
    await sim('DELETE', '/__sim/faults');
    await publishBackfill({ type: 'user', uid, force: true });
    const rerun = await waitForState(uid, (s) => s?.runId !== state.runId && isFinished(s));
    expect(rerun.counts?.quarantined).toBe(2);
    expect((await verify(uid)).differences).toEqual([]);
    expect((await docData(`users/${uid}/habits/${habitId}`))?.name).toBe('Journal');
    expect(
      await adminDb().doc(`users/${uid}/completions/${habitId}_2025-01-05`).get(),
    ).toHaveProperty('exists', true);
  });
});
