import {
  decideDeletion,
  decideUpsert,
  overlappingXpCount,
  type UpsertDecision,
  writtenVersion,
} from '../../../functions/src/migration/backfillConflicts';

interface UpsertCase {
  name: string;
  /** [version, updatedAt, name] of each copy: the name stands for the rest of the content. */
  legacy: [number, string, string];
  existing: [number, string, string] | undefined;
  deletion: { deletedAt: string; final: boolean } | undefined;
  expected: UpsertDecision;
}

const MON = '2026-03-16T09:00:00.000Z';
const TUE = '2026-03-17T09:00:00.000Z';
const WED = '2026-03-18T09:00:00.000Z';

describe('decideUpsert: what the backfill does with a legacy record (domain/conflictRule)', () => {
  // prettier-ignore
  const cases: UpsertCase[] = [
    { name: 'Firestore lacks it', legacy: [3, TUE, 'a'], existing: undefined, deletion: undefined, expected: 'write' },
    { name: 'the old app edited it after Firestore\'s copy', legacy: [3, WED, 'b'], existing: [2, TUE, 'a'], deletion: undefined, expected: 'write' },
    { name: 'the later legacy edit wins with a LOWER legacy version', legacy: [1, WED, 'b'], existing: [9, TUE, 'a'], deletion: undefined, expected: 'write' },
    { name: 'same content, versions counted apart', legacy: [3, TUE, 'a'], existing: [7, TUE, 'a'], deletion: undefined, expected: 'present' },
    { name: 'Firestore holds the later edit', legacy: [3, TUE, 'a'], existing: [4, WED, 'b'], deletion: undefined, expected: 'keep_firestore' },
    { name: 'a higher legacy version, but the API edit is later', legacy: [9, MON, 'b'], existing: [1, WED, 'a'], deletion: undefined, expected: 'keep_firestore' },
    { name: 'edited at the same instant on both: Firestore wins the tie', legacy: [3, TUE, 'b'], existing: [3, TUE, 'a'], deletion: undefined, expected: 'keep_firestore' },
    { name: 'deleted through the API after the old app\'s edit', legacy: [3, TUE, 'a'], existing: undefined, deletion: { deletedAt: WED, final: false }, expected: 'keep_deleted' },
    { name: 'deleted through the API the instant the old app edited it', legacy: [3, TUE, 'a'], existing: undefined, deletion: { deletedAt: TUE, final: false }, expected: 'keep_deleted' },
    { name: 'logged again on the old app after the API deleted it', legacy: [3, WED, 'a'], existing: undefined, deletion: { deletedAt: TUE, final: false }, expected: 'write' },
    { name: 'its habit was deleted through the API: no later edit brings it back', legacy: [3, WED, 'a'], existing: undefined, deletion: { deletedAt: MON, final: true }, expected: 'keep_deleted' },
  ];

  it.each(cases)('$name: $expected', ({ legacy, existing, deletion, expected }) => {
    const copy = ([version, updatedAt, name]: [number, string, string]) => ({
      version,
      updatedAt,
      name,
    });

    expect(decideUpsert(copy(legacy), existing && copy(existing), deletion)).toBe(expected);
  });
});

describe('writtenVersion: Firestore versions only rise, whoever changed the record', () => {
  it.each([
    ['a fresh record keeps the legacy version', [5, TUE], undefined, undefined, 5],
    [
      'over a Firestore copy: one above it, whatever the legacy version',
      [1, WED],
      [8, TUE],
      undefined,
      9,
    ],
    ['over a tombstone: above the deletion', [2, WED], undefined, 6, 7],
    ['over a tombstone older than the legacy version', [9, WED], undefined, 3, 9],
  ] as const)('%s', (_name, [lv, lu], existing, tombstone, expected) => {
    const legacy = { version: lv, updatedAt: lu };
    const stored = existing && { version: existing[0], updatedAt: existing[1] };
    expect(writtenVersion(legacy, stored, tombstone)).toBe(expected);
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

  it('keeps a copy whose change CloudKit has not been given yet, whenever it was made', () => {
    const before = { updatedAt: '2026-03-17T12:00:00.000Z' };
    expect(decideDeletion(before, start, true)).toBe('keep_firestore');
    expect(decideDeletion(before, start, false)).toBe('delete');
    expect(decideDeletion(undefined, start, true)).toBe('absent');
  });
});
