import {
  differingFields,
  PRESENCE,
  verdictOfLegacyDeletion,
  verdictOfRecord,
} from '../../../functions/src/migration/consistency/recordVerdict';

const habit = {
  id: 'h1',
  name: 'Walk',
  schedule: { type: 'daily' as const },
  targetPerDay: 1,
  archived: false,
  createdAt: '2025-01-01T08:00:00.000Z',
  updatedAt: '2025-01-02T08:00:00.000Z',
  version: 3,
};

describe('one definition of equal, shared by the verifier and the shadow comparison', () => {
  it('the same content is a match whatever each side counts as its version', () => {
    expect(verdictOfRecord(habit, { ...habit, version: 7 }, undefined, 'habits')).toEqual({
      verdict: 'matched',
    });
  });

  it('a later edit through the API is newer in Firestore, not a difference', () => {
    const edited = { ...habit, name: 'Run', updatedAt: '2025-01-03T08:00:00.000Z' };
    expect(verdictOfRecord(habit, edited, undefined, 'habits').verdict).toBe('newerInFirestore');
  });

  it('other content at the same edit time is a difference, named by field only', () => {
    const planted = { ...habit, name: 'Secret diary entry' };
    const verdict = verdictOfRecord(planted, habit, undefined, 'habits');
    expect(verdict).toEqual({
      verdict: 'differs',
      fields: ['name'],
      problem: 'fields differ: name',
    });
    expect(JSON.stringify(verdict)).not.toContain('Secret');
  });

  it('a later edit on the old app that Firestore lacks is a difference', () => {
    const later = { ...habit, archived: true, updatedAt: '2025-01-05T08:00:00.000Z' };
    expect(verdictOfRecord(later, habit, undefined, 'habits')).toMatchObject({
      verdict: 'differs',
      fields: ['archived', 'updatedAt'],
    });
  });

  it('a deletion through the API after the edit stands; a missing document is a difference', () => {
    const deletion = { deletedAt: '2025-01-04T00:00:00.000Z', final: false };
    expect(verdictOfRecord(habit, undefined, deletion, 'habits').verdict).toBe(
      'deletedInFirestore',
    );
    expect(verdictOfRecord(habit, undefined, undefined, 'habits')).toEqual({
      verdict: 'differs',
      fields: [PRESENCE],
      problem: 'missing from habits',
    });
  });

  it('a record CloudKit lacks: equal when Firestore lacks it too or holds an undelivered change', () => {
    const existing = { updatedAt: '2025-01-02T08:00:00.000Z' };
    expect(verdictOfLegacyDeletion(undefined, null, false).verdict).toBe('matched');
    expect(verdictOfLegacyDeletion(existing, null, true).verdict).toBe('newerInFirestore');
    expect(verdictOfLegacyDeletion(existing, '2025-01-01T00:00:00.000Z', false).verdict).toBe(
      'newerInFirestore',
    );
    expect(verdictOfLegacyDeletion(existing, '2025-01-03T00:00:00.000Z', false)).toMatchObject({
      verdict: 'differs',
      fields: [PRESENCE],
    });
  });

  it('lists differing fields by name, versions left out', () => {
    expect(
      differingFields({ a: 1, b: [1], version: 1 }, { a: 1, b: [2], c: 3, version: 2 }),
    ).toEqual(['b', 'c']);
  });
});
