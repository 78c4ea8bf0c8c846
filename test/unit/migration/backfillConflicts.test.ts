import {
  decideDeletion,
  decideUpsert,
  type UpsertDecision,
} from '../../../functions/src/migration/backfillConflicts';

interface UpsertCase {
  name: string;
  legacy: number;
  existing: number | undefined;
  tombstoned: boolean;
  expected: UpsertDecision;
}

describe('decideUpsert: what the backfill does with a legacy record', () => {
  // prettier-ignore
  const cases: UpsertCase[] = [
    { name: 'Firestore lacks it', legacy: 3, existing: undefined, tombstoned: false, expected: 'write' },
    { name: 'Firestore holds an older version', legacy: 3, existing: 2, tombstoned: false, expected: 'write' },
    { name: 'Firestore holds a much older version', legacy: 30, existing: 1, tombstoned: false, expected: 'write' },
    { name: 'Firestore holds this very version', legacy: 3, existing: 3, tombstoned: false, expected: 'present' },
    { name: 'Firestore holds a newer version', legacy: 3, existing: 4, tombstoned: false, expected: 'keep_firestore' },
    { name: 'deleted through the API, nothing left', legacy: 3, existing: undefined, tombstoned: true, expected: 'keep_deleted' },
    { name: 'deleted through the API, an older copy left', legacy: 3, existing: 2, tombstoned: true, expected: 'keep_deleted' },
    { name: 'deleted through the API, this version left', legacy: 3, existing: 3, tombstoned: true, expected: 'keep_deleted' },
    { name: 'deleted through the API, a newer copy left', legacy: 3, existing: 4, tombstoned: true, expected: 'keep_deleted' },
  ];

  it.each(cases)('$name: $expected', ({ legacy, existing, tombstoned, expected }) => {
    const stored = existing === undefined ? undefined : { version: existing };

    expect(decideUpsert({ version: legacy }, stored, tombstoned)).toBe(expected);
  });
});

interface DeletionCase {
  name: string;
  updatedAt: string | undefined;
  runStartedAt: string | null | undefined;
  expected: ReturnType<typeof decideDeletion>;
}

describe('decideDeletion: what the backfill does with a legacy deletion', () => {
  const start = '2026-03-18T12:00:00.000Z';

  // prettier-ignore
  const cases: DeletionCase[] = [
    { name: 'Firestore lacks it', updatedAt: undefined, runStartedAt: start, expected: 'absent' },
    { name: 'Firestore lacks it, and no run start', updatedAt: undefined, runStartedAt: null, expected: 'absent' },
    { name: 'written just before the run started', updatedAt: '2026-03-18T11:59:59.999Z', runStartedAt: start, expected: 'delete' },
    { name: 'written a day before the run started', updatedAt: '2026-03-17T12:00:00.000Z', runStartedAt: start, expected: 'delete' },
    { name: 'written the instant the run started', updatedAt: start, runStartedAt: start, expected: 'delete' },
    { name: 'written through the API just after the run started', updatedAt: '2026-03-18T12:00:00.001Z', runStartedAt: start, expected: 'keep_firestore' },
    { name: 'written through the API an hour into the run', updatedAt: '2026-03-18T13:00:00.000Z', runStartedAt: start, expected: 'keep_firestore' },
    { name: 'a run start of null', updatedAt: '2026-03-18T13:00:00.000Z', runStartedAt: null, expected: 'delete' },
    { name: 'no run start', updatedAt: '2026-03-18T13:00:00.000Z', runStartedAt: undefined, expected: 'delete' },
  ];

  it.each(cases)('$name: $expected', ({ updatedAt, runStartedAt, expected }) => {
    const stored = updatedAt === undefined ? undefined : { updatedAt };

    expect(decideDeletion(stored, runStartedAt)).toBe(expected);
  });
});
