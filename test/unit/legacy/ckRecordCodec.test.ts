import {
  decodeRecord,
  encodeFields,
} from '../../../functions/src/data/legacy/cloudkit/ckRecordCodec';

const habitFields = {
  CD_entityName: { value: 'Habit', type: 'STRING' },
  CD_id: { value: 'h1', type: 'STRING' },
  CD_name: { value: 'Water', type: 'STRING' },
  CD_scheduleType: { value: 'daily', type: 'STRING' },
  CD_targetPerDay: { value: 2, type: 'INT64' },
  CD_archived: { value: 0, type: 'INT64' },
  CD_createdAt: { value: 1_700_000_000_000, type: 'TIMESTAMP' },
  CD_updatedAt: { value: 1_700_000_000_000, type: 'TIMESTAMP' },
  CD_version: { value: 1, type: 'INT64' },
};

const habit = (fields: Record<string, unknown> = habitFields, extra: object = {}) => ({
  recordName: 'CD_Habit_h1',
  recordType: 'CD_Habit',
  recordChangeTag: 'abc',
  fields,
  created: { timestamp: 1, userRecordName: '_u', deviceID: 'd' },
  modified: { timestamp: 2, userRecordName: '_u', deviceID: 'd' },
  ...extra,
});

describe('decodeRecord', () => {
  it('unwraps a valid record into its kind, fields and system fields', () => {
    expect(decodeRecord(habit())).toEqual({
      kind: 'habit',
      recordName: 'CD_Habit_h1',
      recordChangeTag: 'abc',
      createdMs: 1,
      modifiedMs: 2,
      fields: {
        CD_entityName: 'Habit',
        CD_id: 'h1',
        CD_name: 'Water',
        CD_scheduleType: 'daily',
        CD_targetPerDay: 2,
        CD_archived: 0,
        CD_createdAt: 1_700_000_000_000,
        CD_updatedAt: 1_700_000_000_000,
        CD_version: 1,
      },
    });
  });

  it('reads a deleted record as a deletion, whatever else it lacks', () => {
    expect(decodeRecord({ recordName: 'CD_Habit_h1', deleted: true })).toEqual({
      kind: 'deleted',
      recordName: 'CD_Habit_h1',
    });
  });

  it('ignores fields the schema does not know, and null values of optional ones', () => {
    const decoded = decodeRecord(
      habit({
        ...habitFields,
        CD_emoji: { value: null, type: 'STRING' },
        CD_futureThing: { value: [1, 2], type: 'INT64_LIST' },
        CD_notes_ckAsset: { value: { fileChecksum: 'x' }, type: 'ASSETID' },
      }),
    );
    expect(decoded).toMatchObject({ kind: 'habit' });
    expect((decoded as { fields: object }).fields).not.toHaveProperty('CD_emoji');
    expect((decoded as { fields: object }).fields).not.toHaveProperty('CD_futureThing');
  });

  it.each([
    ['not an object', 'garbage', /not an object/],
    ['no recordName', { ...habit(), recordName: undefined }, /no recordName/],
    ['an unknown type', habit(habitFields, { recordType: 'CDMR' }), /unknown record type CDMR/],
    ['no change tag', habit(habitFields, { recordChangeTag: undefined }), /recordChangeTag/],
    ['no fields', habit(habitFields, { fields: undefined }), /no fields/],
    ['a missing required field', habit({ ...habitFields, CD_name: undefined }), /CD_name/],
    [
      'a wrong-typed value',
      habit({ ...habitFields, CD_targetPerDay: { value: 'abc', type: 'STRING' } }),
      /CD_targetPerDay/,
    ],
    [
      'a value that contradicts its declared type',
      habit({ ...habitFields, CD_name: { value: 3, type: 'STRING' } }),
      /CD_name: declared STRING/,
    ],
    ['a bare value', habit({ ...habitFields, CD_name: 'Water' }), /CD_name: not a \{value, type\}/],
    [
      'a value out of range',
      habit({ ...habitFields, CD_archived: { value: 2, type: 'INT64' } }),
      /CD_archived/,
    ],
  ])('returns an invalid record, never throws, for %s', (_label, raw, reason) => {
    const decoded = decodeRecord(raw);
    expect(decoded.kind).toBe('invalid');
    expect((decoded as { reason: string }).reason).toMatch(reason);
  });
});

describe('encodeFields', () => {
  it('types strings, integers and ...At timestamps as CloudKit expects', () => {
    expect(
      encodeFields({
        CD_name: 'Water',
        CD_count: 3,
        CD_completedAt: 1_700_000_000_000,
        CD_ratio: 0.5,
        CD_note: undefined,
      }),
    ).toEqual({
      CD_name: { value: 'Water', type: 'STRING' },
      CD_count: { value: 3, type: 'INT64' },
      CD_completedAt: { value: 1_700_000_000_000, type: 'TIMESTAMP' },
      CD_ratio: { value: 0.5, type: 'DOUBLE' },
    });
  });

  it('round-trips through decodeRecord', () => {
    const fields = {
      CD_entityName: 'Streak' as const,
      CD_habit: 'CD_Habit_h1',
      CD_current: 4,
      CD_longest: 9,
    };
    expect(
      decodeRecord({
        recordName: 'CD_Streak_h1',
        recordType: 'CD_Streak',
        recordChangeTag: 't',
        fields: encodeFields(fields),
      }),
    ).toMatchObject({ kind: 'streak', fields });
  });
});
