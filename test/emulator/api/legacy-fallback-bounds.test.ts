import { config } from '../../../functions/src/config';
import { deleteAllClients, signedInUser } from '../support/client';
import { legacyUserWithToken, sim } from '../support/simulator';

afterAll(deleteAllClients);
afterEach(() => sim('DELETE', '/__sim/faults'));

const { pageSize, maxPages } = config.legacyFallbackRead;
/** The most records one fallback read takes from CloudKit. */
const BOUND = pageSize * maxPages;
const XP_EACH = 10;

const str = (value: string) => ({ value, type: 'STRING' });
const int = (value: number) => ({ value, type: 'INT64' });
const time = (ms: number) => ({ value: ms, type: 'TIMESTAMP' });
const T0 = Date.UTC(2025, 0, 1);

const habitId = (n: number) => `0f8fad5b-d9cb-469f-a165-7086772895${String(n).padStart(2, '0')}`;

function habitRecord(n: number) {
  return {
    recordName: `CD_Habit_${habitId(n)}`,
    recordType: 'CD_Habit',
    fields: {
      CD_entityName: str('Habit'),
      CD_id: str(habitId(n)),
      CD_name: str(`Habit ${n}`),
      CD_scheduleType: str('daily'),
      CD_targetPerDay: int(1),
      CD_archived: int(0),
      CD_createdAt: time(T0 + n * 86_400_000),
      CD_updatedAt: time(T0 + n * 86_400_000),
      CD_version: int(1),
    },
  };
}

function xpRecord(i: number) {
  return {
    recordName: `CD_XPEvent_x${i}`,
    recordType: 'CD_XPEvent',
    fields: {
      CD_entityName: str('XPEvent'),
      CD_id: str(`x${i}`),
      CD_amount: int(XP_EACH),
      CD_reason: str('completion'),
      CD_occurredAt: time(T0 + i * 60_000),
    },
  };
}

/**
 * A long history: habit 1 first, habit 2 inside the first read's bound, habit 3 beyond it, XP
 * events between. The simulator serves the feed in the order the records were written.
 */
function longHistory() {
  const total = BOUND + 100;
  return Array.from({ length: total }, (_, i) => {
    if (i === 0) return habitRecord(1);
    if (i === BOUND - 1) return habitRecord(2);
    if (i === BOUND + 50) return habitRecord(3);
    return xpRecord(i);
  });
}

async function legacyUser() {
  const user = await signedInUser();
  const token = await legacyUserWithToken(user.uid);
  await sim('PUT', `/__sim/users/${user.uid}/records`, { records: longHistory() });
  await user.call('legacy-link', { webAuthToken: token });
  return user;
}

interface ProgressAnswer {
  progress: { totalXp: number };
  source?: string;
  partial?: boolean;
}

describe('legacy read fallback of a user with more records than one read takes', () => {
  it('answers progress from a bounded read, flagged partial, and again from the cache within the TTL', async () => {
    const user = await legacyUser();
    const first = await user.call<ProgressAnswer>('progress-get');
    // The read took BOUND records, two of them habits: the XP of the rest is not in the total.
    expect(first).toMatchObject({
      source: 'legacy',
      partial: true,
      progress: { totalXp: (BOUND - 2) * XP_EACH },
    });

    // Any CloudKit call of this user now fails, through every retry: only a cached answer passes.
    await sim('POST', '/__sim/faults', {
      kind: 'unavailable',
      uid: user.uid,
      pathContains: '/records/',
      count: 50,
      retryAfter: 0,
    });
    expect(await user.call<ProgressAnswer>('progress-get')).toEqual(first);
  });

  it('pages habits-list past the bound through its own pageToken', async () => {
    const user = await legacyUser();
    const first = await user.call<{ habits: { id: string }[]; nextPageToken?: string }>(
      'habits-list',
      {},
    );
    expect(first).toMatchObject({
      source: 'legacy',
      habits: [{ id: habitId(1) }, { id: habitId(2) }],
    });
    expect(first.nextPageToken).toEqual(expect.any(String));

    const second = await user.call<{ habits: { id: string }[]; nextPageToken?: string }>(
      'habits-list',
      { pageToken: first.nextPageToken },
    );
    expect(second).toEqual({
      source: 'legacy',
      habits: [expect.objectContaining({ id: habitId(3) })],
    });
  });

  it('flags a legacy snapshot that stopped at the bound as partial', async () => {
    const user = await legacyUser();
    expect(await user.call('snapshot-get', {})).toMatchObject({
      version: 0,
      source: 'legacy',
      partial: true,
      progress: { totalXp: (BOUND - 2) * XP_EACH },
    });
  });
});
