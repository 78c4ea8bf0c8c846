import {
  type Gate,
  type RolloutFigures,
  type RolloutTargets,
  failingGates,
  gatesToLeave,
} from '../../../functions/src/domain/rolloutGates';
import type { KnownStage, StageName } from '../../../functions/src/domain/rolloutStages';

const targets: RolloutTargets = {
  dualWritePrimary: 0.99,
  dualWriteSecondary: 0.95,
  migrationCompletion: 0.9,
  consistency: 0.9999,
  maxOldestPendingMs: 15 * 60_000,
  maxWriteLatencyP95Ratio: 1.1,
};

/** A rollout going well: every gate of every stage passes. */
const healthy = (): RolloutFigures => ({
  since: '2030-01-01T00:00:00.000Z',
  until: '2030-01-02T00:00:00.000Z',
  primaryWrites: { success: 10_000, failure: 1 },
  secondaryDeliveries: { success: 9_900, failure: 10 },
  failedOutboxEntries: 0,
  pendingOutboxEntries: { count: 0, atLeast: false },
  oldestPendingAgeMs: null,
  writeLatencyP95Ms: { dualWrite: 105, firestoreOnly: 100 },
  migrationRuns: { success: 95, failure: 5 },
  usersNotMigrated: 0,
  catchUpOverdue: { count: 0, atLeast: false },
  consistency: { records: 100_000, consistent: 100_000, openInconsistencies: 0 },
});

const stage = (name: StageName, percentage = 0): KnownStage => ({ name, percentage, paused: [] });
const names = (gates: Gate[]) => gates.map((gate) => gate.name);
const gate = (gates: Gate[], name: string) => gates.find((g) => g.name === name)!;

describe('gatesToLeave', () => {
  it('has none to leave off, and none at complete (the last stage)', () => {
    expect(gatesToLeave(stage('off'), healthy(), targets)).toEqual([]);
    expect(gatesToLeave(stage('complete', 100), healthy(), targets)).toEqual([]);
  });

  it('holds each later stage to more, and every gate passes on healthy figures', () => {
    const dualWrite = gatesToLeave(stage('dual_write'), healthy(), targets);
    expect(names(dualWrite)).toEqual([
      'primary write success',
      'CloudKit delivery success',
      'failed outbox entries',
      'oldest pending entry',
      'write p95 dual-write / Firestore-only',
    ]);
    const backfill = gatesToLeave(stage('backfill_rollout', 10), healthy(), targets);
    expect(names(backfill)).toEqual([
      ...names(dualWrite),
      'migration completion',
      'consistency (continuous verification)',
      'open inconsistencies',
      'catch-up overdue',
    ]);
    const live = gatesToLeave(stage('live', 100), healthy(), targets);
    expect(names(live)).toEqual([...names(backfill), 'users not yet migrated']);
    const rampdown = gatesToLeave(stage('rampdown', 100), healthy(), targets);
    expect(names(rampdown)).toEqual([...names(live), 'pending outbox entries']);
    for (const gates of [dualWrite, backfill, live, rampdown]) {
      expect(gates.map((g) => g.status)).toEqual(gates.map(() => 'pass'));
    }
  });

  it('shows each figure with its target', () => {
    const gates = gatesToLeave(stage('live', 100), healthy(), targets);
    expect(gate(gates, 'primary write success')).toEqual({
      name: 'primary write success',
      figure: '99.99 % of 10001 writes',
      target: '> 99 %',
      status: 'pass',
    });
    expect(gate(gates, 'write p95 dual-write / Firestore-only')).toMatchObject({
      figure: '1.05 (105 ms / 100 ms)',
      target: '<= 1.1',
    });
    expect(gate(gates, 'consistency (continuous verification)')).toMatchObject({
      figure: '100 % of 100000 records',
      target: '>= 99.99 %',
    });
  });

  it.each<[string, Partial<RolloutFigures>, string, string]>([
    [
      'primary at the target',
      { primaryWrites: { success: 99, failure: 1 } },
      'primary write success',
      '99 % of 100 writes',
    ],
    [
      'secondary under it',
      { secondaryDeliveries: { success: 94, failure: 6 } },
      'CloudKit delivery success',
      '94 % of 100 deliveries',
    ],
    ['a failed entry', { failedOutboxEntries: 1 }, 'failed outbox entries', '1 failed'],
    [
      'an old pending entry',
      { oldestPendingAgeMs: 16 * 60_000 },
      'oldest pending entry',
      '16 min old',
    ],
    [
      'dual-write 20 % slower',
      { writeLatencyP95Ms: { dualWrite: 120, firestoreOnly: 100 } },
      'write p95 dual-write / Firestore-only',
      '1.2 (120 ms / 100 ms)',
    ],
    [
      'completion at 80 %',
      { migrationRuns: { success: 8, failure: 2 } },
      'migration completion',
      '80 % of 10 runs ended',
    ],
    [
      'one record in 1,000 differing',
      { consistency: { records: 1000, consistent: 999, openInconsistencies: 0 } },
      'consistency (continuous verification)',
      '99.9 % of 1000 records',
    ],
    [
      'an open inconsistency',
      { consistency: { records: 10, consistent: 10, openInconsistencies: 2 } },
      'open inconsistencies',
      '2 open',
    ],
    [
      'overdue catch-ups at the cap',
      { catchUpOverdue: { count: 1000, atLeast: true } },
      'catch-up overdue',
      'at least 1000 users overdue',
    ],
  ])('fails on %s, with the figure', (_, change, name, figure) => {
    const gates = gatesToLeave(stage('backfill_rollout', 50), { ...healthy(), ...change }, targets);
    expect(failingGates(gates)).toEqual([
      expect.objectContaining({ name, figure, status: 'fail' }),
    ]);
  });

  it('leaves live only with every user migrated, and rampdown only with nothing pending', () => {
    const waiting = { ...healthy(), usersNotMigrated: 3 };
    expect(names(failingGates(gatesToLeave(stage('live', 100), waiting, targets)))).toEqual([
      'users not yet migrated',
    ]);
    const pending = {
      ...healthy(),
      pendingOutboxEntries: { count: 4, atLeast: false },
      oldestPendingAgeMs: 1000,
    };
    expect(names(failingGates(gatesToLeave(stage('live', 100), pending, targets)))).toEqual([]);
    expect(names(failingGates(gatesToLeave(stage('rampdown', 100), pending, targets)))).toEqual([
      'pending outbox entries',
    ]);
  });

  describe('without data', () => {
    it('fails the rates: a stage left without a write or a delivery has shown nothing', () => {
      const quiet = {
        ...healthy(),
        primaryWrites: { success: 0, failure: 0 },
        secondaryDeliveries: { success: 0, failure: 0 },
      };
      const failing = failingGates(gatesToLeave(stage('dual_write'), quiet, targets));
      expect(failing.map((g) => g.figure)).toEqual([
        'no writes in the window',
        'no deliveries in the window',
      ]);
    });

    it('fails consistency: nothing verified is no evidence', () => {
      const unverified = {
        ...healthy(),
        consistency: { records: 0, consistent: 0, openInconsistencies: 0 },
      };
      expect(
        failingGates(gatesToLeave(stage('backfill_rollout', 10), unverified, targets)),
      ).toEqual([
        expect.objectContaining({
          name: 'consistency (continuous verification)',
          figure: 'no records verified',
        }),
      ]);
    });

    it('holds nothing back on the latency ratio, which has no Firestore-only side during the rollout', () => {
      const noBaseline = {
        ...healthy(),
        writeLatencyP95Ms: { dualWrite: 100, firestoreOnly: null },
      };
      const gates = gatesToLeave(stage('dual_write'), noBaseline, targets);
      expect(gate(gates, 'write p95 dual-write / Firestore-only')).toMatchObject({
        status: 'no_data',
        figure: 'no Firestore-only writes in the window',
      });
      expect(failingGates(gates)).toEqual([]);
    });

    it('passes the oldest pending entry when nothing is pending', () => {
      const gates = gatesToLeave(stage('dual_write'), healthy(), targets);
      expect(gate(gates, 'oldest pending entry')).toMatchObject({
        figure: 'none pending',
        status: 'pass',
      });
    });

    it('fails completion leaving a backfill step (it backfilled nobody), not leaving live', () => {
      const noRuns = { ...healthy(), migrationRuns: { success: 0, failure: 0 } };
      expect(
        gate(gatesToLeave(stage('backfill_rollout', 10), noRuns, targets), 'migration completion'),
      ).toMatchObject({
        status: 'fail',
        figure: 'no runs ended in the window',
      });
      expect(
        gate(gatesToLeave(stage('live', 100), noRuns, targets), 'migration completion').status,
      ).toBe('no_data');
    });
  });
});
