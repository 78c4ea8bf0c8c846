import {
  decideDeletion,
  decideUpsert,
  overlappingXpCount,
  type UpsertDecision,
} from '../../../functions/src/migration/backfillConflicts';

interface UpsertCase {
  name: string;
  /** [version, updatedAt] of each copy. */
  legacy: [number, string];
  existing: [number, string] | undefined;
  tombstoned: boolean;
  expected: UpsertDecision;
}

const MON = '2026-03-16T09:00:00.000Z';
const TUE = '2026-03-17T09:00:00.000Z';
const WED = '2026-03-18T09:00:00.000Z';

describe('decideUpsert: what the backfill does with a legacy record', () => {
  // prettier-ignore
  const cases: UpsertCase[] = [
    { name: 'Firestore lacks it', legacy: [3, TUE], existing: undefined, tombstoned: false, expected: 'write' },
    { name: 'the old app edited it after Firestore\'s copy', legacy: [3, WED], existing: [2, TUE], tombstoned: false, expected: 'write' },
    { name: 'a much older Firestore copy', legacy: [30, WED], existing: [1, MON], tombstoned: false, expected: 'write' },
    { name: 'Firestore holds this very version', legacy: [3, TUE], existing: [3, TUE], tombstoned: false, expected: 'present' },
    { name: 'Firestore holds a newer version', legacy: [3, TUE], existing: [4, WED], tombstoned: false, expected: 'keep_firestore' },
    { name: 'same version, edited through the API later', legacy: [1, MON], existing: [1, WED], tombstoned: false, expected: 'keep_firestore' },
    { name: 'a higher legacy version, but the API edit is later', legacy: [2, MON], existing: [1, WED], tombstoned: false, expected: 'keep_firestore' },
    { name: 'deleted through the API, nothing left', legacy: [3, TUE], existing: undefined, tombstoned: true, expected: 'keep_deleted' },
    { name: 'deleted through the API, an older copy left', legacy: [3, WED], existing: [2, TUE], tombstoned: true, expected: 'keep_deleted' },
    { name: 'deleted through the API, this version left', legacy: [3, TUE], existing: [3, TUE], tombstoned: true, expected: 'keep_deleted' },
    { name: 'deleted through the API, a newer copy left', legacy: [3, TUE], existing: [4, WED], tombstoned: true, expected: 'keep_deleted' },
  ];

  it.each(cases)('$name: $expected', ({ legacy, existing, tombstoned, expected }) => {
    const copy = ([version, updatedAt]: [number, string]) => ({ version, updatedAt });

    expect(decideUpsert(copy(legacy), existing && copy(existing), tombstoned)).toBe(expected);
  });
});

describe('overlappingXpCount: a day logged on both apps counts once', () => {
  // prettier-ignore
  const cases: Array<[string, { count: number; createdAt: string }, { count: number; createdAt: string } | undefined, UpsertDecision, number]> = [
    ['no Firestore copy', { count: 2, createdAt: MON }, undefined, 'write', 0],
    ['Firestore\'s copy came from the legacy one', { count: 2, createdAt: MON }, { count: 2, createdAt: MON }, 'present', 0],
    ['logged through the API later, API copy kept', { count: 2, createdAt: MON }, { count: 5, createdAt: WED }, 'keep_firestore', 2],
    ['logged through the API later, same version', { count: 2, createdAt: MON }, { count: 5, createdAt: WED }, 'present', 2],
    ['logged through the API later, legacy copy wins', { count: 2, createdAt: MON }, { count: 5, createdAt: WED }, 'write', 5],
    ['deleted since: nothing was counted twice', { count: 2, createdAt: MON }, { count: 5, createdAt: WED }, 'keep_deleted', 0],
  ];

  it.each(cases)('%s: take back the XP of %#', (_name, legacy, existing, decision, expected) => {
    expect(overlappingXpCount(legacy, existing, decision)).toBe(expected);
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
