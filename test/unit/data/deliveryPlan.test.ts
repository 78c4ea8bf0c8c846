import {
  type CurrentRecord,
  type DesiredRecord,
  type LastCopy,
  planDelivery,
} from '../../../functions/src/data/outbox/deliveryPlan';
import { legacyUpsert } from '../../../functions/src/data/legacy/mapping/firestoreToLegacyMapper';
import type { Habit } from '../../../functions/src/domain/habit';

const MON = Date.parse('2026-03-16T09:00:00.000Z');
const TUE = Date.parse('2026-03-17T09:00:00.000Z');
const WED = Date.parse('2026-03-18T09:00:00.000Z');

function habit(name: string, updatedAt: number, version: number): Habit {
  return {
    id: 'h1',
    name,
    schedule: { type: 'daily' },
    targetPerDay: 1,
    archived: false,
    createdAt: new Date(MON).toISOString(),
    updatedAt: new Date(updatedAt).toISOString(),
    version,
  };
}

/** Firestore holds the habit named `name`, last edited at `at`. */
function present(name: string, at: number, version = 2): DesiredRecord {
  const write = legacyUpsert('habit', habit(name, at, version));
  return { state: 'present', write, version, authority: { kind: 'edited', editedAtMs: at } };
}

/** CloudKit holds the habit named `name` with change tag `tag`, edited at `at`. */
function inCloudKit(name: string, at: number, tag: string, version = 5): CurrentRecord {
  const { fields } = legacyUpsert('habit', habit(name, at, version));
  return { recordChangeTag: tag, fields: fields as Record<string, unknown>, editedAtMs: at };
}

const deleted = (at: number, final = false): DesiredRecord => ({
  state: 'deleted',
  recordName: 'CD_Habit_h1',
  deletedAtMs: at,
  final,
});

const copy = (tag: string, version = 1): LastCopy => ({ recordChangeTag: tag, version });

interface Case {
  name: string;
  desired: DesiredRecord;
  current: CurrentRecord | undefined;
  lastCopy: LastCopy | undefined;
  expected: string;
}

/** The step in one word: what it writes (with its condition) or what it leaves. */
function describe_(step: ReturnType<typeof planDelivery>): string {
  if (step.action === 'none') return `none:${step.result}`;
  const w = step.write;
  const condition =
    'ifAbsent' in w && w.ifAbsent
      ? 'create'
      : w.recordChangeTag
        ? `tag=${w.recordChangeTag}`
        : 'force';
  return `${w.op}(${condition}):${step.result}`;
}

describe('planDelivery: one step towards CloudKit equal to Firestore', () => {
  // prettier-ignore
  const cases: Case[] = [
    { name: 'never delivered: create, refused if someone wrote it meanwhile', desired: present('a', TUE), current: undefined, lastCopy: undefined, expected: 'upsert(create):delivered' },
    { name: 'our own copy, Firestore changed since: replace on its tag', desired: present('b', WED), current: inCloudKit('a', TUE, 't1'), lastCopy: copy('t1'), expected: 'upsert(tag=t1):delivered' },
    { name: 'already equal (a duplicate or late task)', desired: present('a', TUE), current: inCloudKit('a', TUE, 't1', 9), lastCopy: undefined, expected: 'none:already_equal' },
    { name: 'the old app edited our copy later: its edit stands', desired: present('a', TUE), current: inCloudKit('b', WED, 't2'), lastCopy: copy('t1'), expected: 'none:conflict_resolved' },
    { name: 'the old app edited our copy earlier: Firestore wins', desired: present('b', WED), current: inCloudKit('c', TUE, 't2'), lastCopy: copy('t1'), expected: 'upsert(tag=t2):conflict_resolved' },
    { name: 'a tie in edit time goes to Firestore', desired: present('b', TUE), current: inCloudKit('c', TUE, 't2'), lastCopy: copy('t1'), expected: 'upsert(tag=t2):conflict_resolved' },
    { name: 'a device copy we never wrote, older than the API edit', desired: present('b', WED), current: inCloudKit('a', TUE, 't9', 30), lastCopy: undefined, expected: 'upsert(tag=t9):delivered' },
    { name: 'the old app deleted it while our change was pending: the change wins', desired: present('b', WED), current: undefined, lastCopy: copy('t1'), expected: 'upsert(create):conflict_resolved' },
    { name: 'deleted here, our copy there: delete on its tag', desired: deleted(WED), current: inCloudKit('a', TUE, 't1'), lastCopy: copy('t1'), expected: 'delete(tag=t1):delivered' },
    { name: 'deleted here, already gone there', desired: deleted(WED), current: undefined, lastCopy: copy('t1'), expected: 'none:already_equal' },
    { name: 'deleted here after the old app last edited it', desired: deleted(WED), current: inCloudKit('b', TUE, 't2'), lastCopy: copy('t1'), expected: 'delete(tag=t2):conflict_resolved' },
    { name: 'logged again on the old app after the deletion here: it stays', desired: deleted(TUE), current: inCloudKit('b', WED, 't2'), lastCopy: copy('t1'), expected: 'none:conflict_resolved' },
    { name: 'its habit was deleted here: no later edit there keeps it', desired: deleted(MON, true), current: inCloudKit('b', WED, 't2'), lastCopy: copy('t1'), expected: 'delete(tag=t2):conflict_resolved' },
    { name: 'Firestore knows nothing of it: leave CloudKit alone', desired: { state: 'unknown' }, current: inCloudKit('a', TUE, 't1'), lastCopy: undefined, expected: 'none:already_equal' },
  ];

  it.each(cases)('$name: $expected', ({ desired, current, lastCopy, expected }) => {
    expect(describe_(planDelivery(desired, current, lastCopy))).toBe(expected);
  });

  it("never compares the two sides' version counters", () => {
    // CloudKit's CD_version 50 against Firestore's 2: only edit times decide.
    const step = planDelivery(present('b', WED, 2), inCloudKit('a', TUE, 't9', 50), undefined);
    expect(describe_(step)).toBe('upsert(tag=t9):delivered');
  });

  it('makes a derived record (a streak) equal whatever its edit times', () => {
    const write = legacyUpsert('streak', {
      habitId: 'h1',
      current: 3,
      longest: 4,
      lastCompletedDate: '2026-03-17',
    });
    const desired: DesiredRecord = {
      state: 'present',
      write,
      version: 0,
      authority: { kind: 'derived' },
    };
    const current: CurrentRecord = {
      recordChangeTag: 't5',
      fields: { ...write.fields, CD_current: 9 },
      editedAtMs: undefined,
    };
    expect(describe_(planDelivery(desired, current, undefined))).toBe('upsert(tag=t5):delivered');
  });
});
