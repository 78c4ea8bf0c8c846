import { inRollout, rolloutBucket } from '../../../functions/src/domain/rollout';

const uids = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
const usersIn = (percentage: number, seed?: string) =>
  new Set(uids.filter((uid) => inRollout(uid, percentage, seed)));

describe('inRollout', () => {
  it('takes nobody at 0% and everybody at 100%', () => {
    expect(usersIn(0).size).toBe(0);
    expect(usersIn(100).size).toBe(uids.length);
  });

  it('takes about the percentage asked for', () => {
    // Binomial over 2000 users: these bounds are more than four standard deviations wide.
    expect(usersIn(10).size).toBeGreaterThan(140);
    expect(usersIn(10).size).toBeLessThan(260);
    expect(usersIn(50).size).toBeGreaterThan(890);
    expect(usersIn(50).size).toBeLessThan(1110);
  });

  it('only adds users as the percentage grows', () => {
    const [none, ten, fifty, all] = [0, 10, 50, 100].map((p) => usersIn(p));
    for (const [smaller, larger] of [
      [none, ten],
      [ten, fifty],
      [fifty, all],
    ]) {
      for (const uid of smaller) expect(larger.has(uid)).toBe(true);
    }
  });

  it('gives a user the same answer every time', () => {
    expect(usersIn(10)).toEqual(usersIn(10));
    expect(rolloutBucket('user-1')).toBe(rolloutBucket('user-1'));
  });

  it('shuffles users differently per seed', () => {
    const backfill = usersIn(10);
    const other = usersIn(10, 'other');
    const shared = [...backfill].filter((uid) => other.has(uid)).length;
    // Independent 10% draws share about 1% of users, far from all of them.
    expect(shared).toBeLessThan(backfill.size / 2);
  });

  it('hashes seed.uid with SHA-256 into [0, 100)', () => {
    const buckets = uids.map((uid) => rolloutBucket(uid));
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(100);
    // Pinned: a change of formula would silently move users in and out of a running rollout.
    // sha256('backfill.u') starts 8690b6d5a66d: 0x8690b6d5a66d / 2^48 * 100.
    expect(rolloutBucket('u')).toBeCloseTo(52.56456634146396, 12);
  });
});
