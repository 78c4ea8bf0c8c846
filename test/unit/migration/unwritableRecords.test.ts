import type { MappedEntry } from '../../../functions/src/data/legacy/mapping/legacyToFirestoreMapper';
import { isRefusedRequest } from '../../../functions/src/data/firestore/firestoreErrors';
import { isolateUnwritable } from '../../../functions/src/migration/unwritableRecords';

const entry = (name: string): MappedEntry => ({
  kind: 'deleted',
  recordName: name,
  target: undefined,
});

const refused = (message: string) => Object.assign(new Error(message), { code: 3 });

/**
 * Firestore as the isolation sees it: a commit holding any refused record fails whole with
 * INVALID_ARGUMENT, any other commits. Records what it committed and how often it was asked.
 */
function firestore(refusedNames: string[]) {
  const committed: string[] = [];
  let commits = 0;
  return {
    committed,
    commits: () => commits,
    async writeAlone(some: readonly MappedEntry[]) {
      commits += 1;
      const names = some.map((e) => (e as { recordName: string }).recordName);
      const bad = names.find((name) => refusedNames.includes(name));
      if (bad) throw refused(`Resource id "${bad}" is invalid because it is reserved.`);
      committed.push(...names);
      return true;
    },
  };
}

const page = Array.from({ length: 64 }, (_, i) => entry(`CD_Habit_r${i}`));

describe('records Firestore refuses for good', () => {
  it('tells a refusal for good from contention, timeouts and outages', () => {
    expect(isRefusedRequest(refused('bad id'))).toBe(true);
    expect(isRefusedRequest(new Error('Value for argument "documentPath" ...'))).toBe(true);
    for (const code of [4, 8, 10, 13, 14, 'unavailable']) {
      expect(isRefusedRequest(Object.assign(new Error('x'), { code }))).toBe(false);
    }
  });

  it('never takes a transaction lost to contention, or a bug, for a refused record', () => {
    const lost = Object.assign(new Error('3 INVALID_ARGUMENT: Transaction is invalid or closed.'), {
      code: 3,
      details: 'Transaction is invalid or closed.',
    });
    expect(isRefusedRequest(lost)).toBe(false);
    expect(
      isRefusedRequest(new TypeError("Cannot read properties of undefined (reading 'id')")),
    ).toBe(false);
    expect(isRefusedRequest(new Error('stored document users/u/habits/h is not readable'))).toBe(
      false,
    );
  });

  it('quarantines the refused records of a page, writes the rest, in a few commits', async () => {
    const bad = ['CD_Habit_r5', 'CD_Habit_r40'];
    const db = firestore(bad);

    const isolation = await isolateUnwritable(page, (some) => db.writeAlone(some));

    expect(isolation.kind).toBe('isolated');
    if (isolation.kind !== 'isolated') return;
    expect(isolation.unwritable.map((u) => u.recordName)).toEqual(bad);
    expect(isolation.unwritable[0]).toMatchObject({ code: '3' });
    expect(isolation.entries).toHaveLength(page.length);
    isolation.entries.forEach((mapped, i) => {
      const name = `CD_Habit_r${i}`;
      if (bad.includes(name)) {
        expect(mapped).toMatchObject({ kind: 'failure', recordName: name });
        expect((mapped as { reason: string }).reason).toContain(
          'is invalid because it is reserved',
        );
      } else expect(mapped).toBe(page[i]);
    });
    expect([...db.committed].sort()).toEqual(
      page
        .map((e) => (e as { recordName: string }).recordName)
        .filter((n) => !bad.includes(n))
        .sort(),
    );
    // Halving: about 2·log2(64) commits per bad record, not one per record of the page.
    expect(db.commits()).toBeLessThan(30);
  });

  it('a page with nothing refused alone comes back as it was', async () => {
    const isolation = await isolateUnwritable(page, firestore([]).writeAlone);
    expect(isolation).toEqual({ kind: 'isolated', entries: page, unwritable: [] });
  });

  it('stops writing the moment the run is no longer this task’s', async () => {
    let calls = 0;
    const isolation = await isolateUnwritable(page, async (some) => {
      calls += 1;
      if (calls > 2) return false;
      if (some.length > 1) throw refused('bad');
      return true;
    });
    expect(isolation).toEqual({ kind: 'lost_lease' });
    expect(calls).toBe(3);
  });

  it('a fault that is not any record’s fails the page as before, quarantining nothing', async () => {
    const everything = refused('the run state itself is refused');
    await expect(isolateUnwritable(page, () => Promise.reject(everything))).rejects.toBe(
      everything,
    );
    const contention = Object.assign(new Error('contention'), { code: 10 });
    const db = firestore(['CD_Habit_r1']);
    let calls = 0;
    await expect(
      isolateUnwritable(page, (some) => {
        calls += 1;
        return calls === 3 ? Promise.reject(contention) : db.writeAlone(some);
      }),
    ).rejects.toBe(contention);
  });
});
