import {
  XP_PER_COMPLETION_UNIT,
  levelStartXp,
  progressFromXp,
  progressSchema,
  xpForCount,
} from '../../../functions/src/domain/progress';

describe('progressFromXp', () => {
  // prettier-ignore
  it.each([
    { xp: 0, level: 1, xpIntoLevel: 0, xpForNextLevel: 100 },
    { xp: 1, level: 1, xpIntoLevel: 1, xpForNextLevel: 100 },
    { xp: 99, level: 1, xpIntoLevel: 99, xpForNextLevel: 100 },
    { xp: 100, level: 2, xpIntoLevel: 0, xpForNextLevel: 200 },
    { xp: 101, level: 2, xpIntoLevel: 1, xpForNextLevel: 200 },
    { xp: 299, level: 2, xpIntoLevel: 199, xpForNextLevel: 200 },
    { xp: 300, level: 3, xpIntoLevel: 0, xpForNextLevel: 300 },
    { xp: 599, level: 3, xpIntoLevel: 299, xpForNextLevel: 300 },
    { xp: 600, level: 4, xpIntoLevel: 0, xpForNextLevel: 400 },
    { xp: 999, level: 4, xpIntoLevel: 399, xpForNextLevel: 400 },
    { xp: 1000, level: 5, xpIntoLevel: 0, xpForNextLevel: 500 },
    { xp: 494_999, level: 99, xpIntoLevel: 9_899, xpForNextLevel: 9_900 },
    { xp: 495_000, level: 100, xpIntoLevel: 0, xpForNextLevel: 10_000 },
    { xp: 49_949_999, level: 999, xpIntoLevel: 99_899, xpForNextLevel: 99_900 },
    { xp: 49_950_000, level: 1000, xpIntoLevel: 0, xpForNextLevel: 100_000 },
    { xp: 499_994_999_999, level: 99_999, xpIntoLevel: 9_999_899, xpForNextLevel: 9_999_900 },
    { xp: 499_995_000_000, level: 100_000, xpIntoLevel: 0, xpForNextLevel: 10_000_000 },
  ])('$xp XP is level $level, $xpIntoLevel into $xpForNextLevel', ({ xp, ...expected }) => {
    expect(progressFromXp(xp)).toEqual({ totalXp: xp, ...expected });
  });

  it.each([
    { input: -1, totalXp: 0 },
    { input: -1000, totalXp: 0 },
    { input: Number.MIN_SAFE_INTEGER, totalXp: 0 },
    { input: 99.9, totalXp: 99 },
    { input: Number.NaN, totalXp: 0 },
    { input: Number.POSITIVE_INFINITY, totalXp: 0 },
    { input: Number.NEGATIVE_INFINITY, totalXp: 0 },
  ])('clamps $input to $totalXp XP', ({ input, totalXp }) => {
    expect(progressFromXp(input)).toEqual(progressFromXp(totalXp));
    expect(progressFromXp(input).totalXp).toBe(totalXp);
  });

  it.each([1, 2, 3, 10, 44, 45, 1000, 4471, 100_000, 1_000_000])(
    'level %i holds from its first XP to its last',
    (level) => {
      const start = levelStartXp(level);
      const next = levelStartXp(level + 1);
      for (const xp of [start, start + 1, (start + next) / 2, next - 1]) {
        const progress = progressFromXp(xp);
        expect(progress.level).toBe(level);
        expect(progress.xpIntoLevel).toBe(xp - start);
        expect(progress.xpForNextLevel).toBe(100 * level);
        expect(progressSchema.safeParse(progress).success).toBe(true);
      }
    },
  );

  it('is exact for every XP total up to 50,000', () => {
    let level = 1;
    const wrong: number[] = [];
    for (let xp = 0; xp <= 50_000; xp += 1) {
      if (xp === levelStartXp(level + 1)) level += 1;
      const progress = progressFromXp(xp);
      if (progress.level !== level || progress.xpIntoLevel + levelStartXp(level) !== xp) {
        wrong.push(xp);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('levelStartXp', () => {
  it.each([
    [1, 0],
    [2, 100],
    [3, 300],
    [4, 600],
    [5, 1000],
    [10, 4500],
  ])('level %i starts at %i XP', (level, xp) => {
    expect(levelStartXp(level)).toBe(xp);
  });
});

describe('xpForCount', () => {
  it.each([
    [1, 10],
    [3, 30],
    [1000, 10_000],
  ])('count %i earns %i XP', (count, xp) => {
    expect(xpForCount(count)).toBe(xp);
    expect(xpForCount(count)).toBe(count * XP_PER_COMPLETION_UNIT);
  });
});
