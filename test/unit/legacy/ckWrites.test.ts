import { toOperation, toOutcome } from '../../../functions/src/data/legacy/cloudkit/ckWrites';

const fields = {
  CD_entityName: 'Streak' as const,
  CD_habit: 'CD_Habit_h1',
  CD_current: 1,
  CD_longest: 2,
};

describe('toOperation', () => {
  it('checks the change tag when one is known, forces otherwise', () => {
    const upsert = {
      op: 'upsert' as const,
      kind: 'streak' as const,
      recordName: 'CD_Streak_h1',
      fields,
    };
    expect(toOperation({ ...upsert, recordChangeTag: 't1' })).toEqual({
      operationType: 'replace',
      record: {
        recordName: 'CD_Streak_h1',
        recordType: 'CD_Streak',
        recordChangeTag: 't1',
        fields: expect.objectContaining({ CD_current: { value: 1, type: 'INT64' } }),
      },
    });
    expect(toOperation(upsert).operationType).toBe('forceReplace');
    expect(toOperation({ op: 'delete', recordName: 'n', recordChangeTag: 't' })).toEqual({
      operationType: 'delete',
      record: { recordName: 'n', recordChangeTag: 't' },
    });
    expect(toOperation({ op: 'delete', recordName: 'n' })).toEqual({
      operationType: 'forceDelete',
      record: { recordName: 'n' },
    });
  });
});

describe('toOutcome', () => {
  const error = (serverErrorCode: string, retryAfter?: number) => ({
    recordName: 'n',
    serverErrorCode,
    reason: 'because',
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });

  it('reads a saved record as ok with its new tag, a deleted one as ok', () => {
    expect(toOutcome('n', { recordName: 'n', recordChangeTag: 't2' })).toEqual({
      recordName: 'n',
      status: 'ok',
      recordChangeTag: 't2',
    });
    expect(toOutcome('n', { recordName: 'n', deleted: true })).toEqual({
      recordName: 'n',
      status: 'ok',
    });
  });

  it.each([
    ['CONFLICT', 'conflict'],
    ['EXISTS', 'conflict'],
    ['NOT_FOUND', 'not_found'],
    ['THROTTLED', 'retryable'],
    ['TRY_AGAIN_LATER', 'retryable'],
    ['INTERNAL_ERROR', 'retryable'],
    ['BAD_REQUEST', 'rejected'],
    ['ACCESS_DENIED', 'rejected'],
    ['VALIDATING_REFERENCE_ERROR', 'rejected'],
  ])('maps %s to %s', (code, status) => {
    expect(toOutcome('n', error(code))).toMatchObject({
      recordName: 'n',
      status,
      reason: `${code}: because`,
    });
  });

  it('keeps retryAfter on a retryable outcome', () => {
    expect(toOutcome('n', error('THROTTLED', 30))).toEqual({
      recordName: 'n',
      status: 'retryable',
      reason: 'THROTTLED: because',
      retryAfterSeconds: 30,
    });
  });
});
