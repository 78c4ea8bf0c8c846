import {
  consistencyCheckOf,
  rollingSelection,
  shadowComparable,
  shadowSampled,
  totalsChange,
} from '../../../functions/src/domain/consistency';

const flags = {
  dualWriteEnabled: true,
  legacyReadFallbackEnabled: true,
  forceMigrationComplete: false,
};

describe('which reads are shadow-compared', () => {
  it.each([
    [0, 0, false],
    [5, 0.049, true],
    [5, 0.05, false],
    [100, 0.999, true],
  ])('%d percent with a roll of %d: %s', (percentage, roll, sampled) => {
    expect(shadowSampled(percentage, roll)).toBe(sampled);
  });

  it('only migrated users while dual-write keeps CloudKit equal', () => {
    expect(shadowComparable(flags, 'completed')).toBe(true);
    expect(shadowComparable(flags, 'completed_with_errors')).toBe(true);
    expect(shadowComparable(flags, 'running')).toBe(false);
    expect(shadowComparable(flags, 'not_started')).toBe(false);
    expect(shadowComparable({ ...flags, dualWriteEnabled: false }, 'completed')).toBe(false);
    expect(shadowComparable({ ...flags, forceMigrationComplete: true }, 'completed')).toBe(false);
  });
});

describe('the totals of continuous verification', () => {
  const counts = { legacyRecords: 10, matched: 6, newerInFirestore: 2, deletedInFirestore: 1 };

  it('counts every legacy record once: consistent or a mismatch', () => {
    expect(consistencyCheckOf(counts, 'T')).toEqual({
      records: 10,
      consistent: 9,
      mismatches: 1,
      checkedAt: 'T',
    });
  });

  it("a user's first check adds to the totals; a later one replaces its figures", () => {
    const first = consistencyCheckOf(counts, 'T1');
    expect(totalsChange(undefined, first)).toEqual({
      records: 10,
      consistent: 9,
      mismatches: 1,
      usersVerified: 1,
    });
    const again = consistencyCheckOf({ ...counts, legacyRecords: 12, matched: 9 }, 'T2');
    expect(totalsChange(first, again)).toEqual({
      records: 2,
      consistent: 3,
      mismatches: -1,
      usersVerified: 0,
    });
    expect(totalsChange(again, again)).toEqual({
      records: 0,
      consistent: 0,
      mismatches: 0,
      usersVerified: 0,
    });
  });
});

describe('the rolling selection of users', () => {
  it('takes the users after the cursor first', () => {
    expect(rollingSelection(['c', 'd', 'e'], [], 2)).toEqual(['c', 'd']);
  });

  it('wraps around to the start, each user once', () => {
    expect(rollingSelection(['d'], ['a', 'b', 'c', 'd'], 3)).toEqual(['d', 'a', 'b']);
    expect(rollingSelection(['b'], ['a', 'b'], 5)).toEqual(['b', 'a']);
    expect(rollingSelection([], [], 3)).toEqual([]);
  });
});
