import fc from 'fast-check';
import type { LegacyRecord } from '../../../../functions/src/data/legacy/legacyRecords';
import { migrationErrorId } from '../../../../functions/src/migration/backfillBatchWriter';
import { legacyUpsert } from '../../../../functions/src/data/legacy/mapping/firestoreToLegacyMapper';
import {
  mapLegacyEntry,
  mapLegacyRecord,
  type MappingFailure,
} from '../../../../functions/src/data/legacy/mapping/legacyToFirestoreMapper';
import { isValidDocumentId } from '../../../../functions/src/domain/documentIds';

/** An XP event the old app stored under `id`, whatever text that is. */
const xpEvent = (id: string): LegacyRecord => ({
  kind: 'xpEvent',
  recordName: `CD_XPEvent_${id}`,
  recordChangeTag: 'tag',
  fields: {
    CD_entityName: 'XPEvent',
    CD_id: id,
    CD_amount: 10,
    CD_reason: 'completion',
    CD_occurredAt: 1_700_000_000_000,
  },
});

describe('record names that Firestore refuses as document ids', () => {
  it.each([
    ['..', '~..'],
    ['.', '~.'],
    ['__x__', '~__x__'],
    ['a/b', '~a%2Fb'],
    ['x1', 'x1'],
  ])('an XP event named %j is stored under %j', (id, documentId) => {
    expect(mapLegacyEntry(xpEvent(id))).toMatchObject({
      kind: 'xpEvent',
      id: documentId,
      source: { recordName: `CD_XPEvent_${id}` },
    });
  });

  it('round-trips: written back to CloudKit, an escaped event has its own name and CD_id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }), (id) => {
        const mapped = mapLegacyRecord(xpEvent(id));
        fc.pre(mapped.kind === 'xpEvent');
        if (mapped.kind !== 'xpEvent') return;
        expect(isValidDocumentId(mapped.id)).toBe(true);
        const write = legacyUpsert('xpEvent', {
          id: mapped.id,
          delta: mapped.amount,
          reason: 'completion',
          occurredAt: mapped.occurredAt,
        });
        expect(write.recordName).toBe(`CD_XPEvent_${id}`);
        expect(write.fields.CD_id).toBe(id);
        const back: LegacyRecord = {
          kind: 'xpEvent',
          recordName: write.recordName,
          recordChangeTag: 'tag',
          fields: write.fields,
        };
        expect(mapLegacyRecord(back)).toEqual(mapped);
      }),
      { numRuns: 500 },
    );
  });

  it('a habit deleted under a forbidden name targets an id Firestore takes', () => {
    expect(mapLegacyEntry({ kind: 'deleted', recordName: 'CD_Habit_..' })).toEqual({
      kind: 'deleted',
      recordName: 'CD_Habit_..',
      target: { kind: 'habit', id: '~..' },
    });
    expect(mapLegacyEntry({ kind: 'deleted', recordName: '__x__' })).toMatchObject({
      kind: 'deleted',
      target: undefined,
    });
  });

  it('a record whose name cannot fit a document id even escaped is quarantined, not written', () => {
    const id = 'x'.repeat(1_600);
    const mapped = mapLegacyEntry(xpEvent(id)) as MappingFailure;
    expect(mapped.kind).toBe('failure');
    expect(mapped.reason).toContain('cannot be a Firestore document id');
    expect(mapLegacyEntry({ kind: 'deleted', recordName: `CD_Habit_${id}` }).kind).toBe('failure');
  });

  it('an XP event whose name fits but whose take-back id would not is quarantined', () => {
    const mapped = mapLegacyEntry(xpEvent('x'.repeat(1_488))) as MappingFailure;
    expect(mapped.kind).toBe('failure');
    expect(mapped.reason).toContain("too long for the XP ledger's document ids");
  });

  it('every quarantine has a document id, and names that had one keep it', () => {
    expect(migrationErrorId('CD_Habit_broken')).toBe('CD_Habit_broken');
    expect(migrationErrorId('CD_Habit_a/b')).toBe('CD_Habit_a%2Fb');
    expect(migrationErrorId('..')).toBe('~..');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ minLength: 1_400, maxLength: 2_000 }),
          fc.constantFrom('.', '..', '__x__', 'a/b', '\uD800'),
        ),
        (name) => {
          expect(isValidDocumentId(migrationErrorId(name))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
