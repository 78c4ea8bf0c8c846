import { z } from 'zod';

export const XP_PER_COMPLETION_UNIT = 10;

export const progressSchema = z.strictObject({
  totalXp: z.number().int().min(0),
  level: z.number().int().min(1),
  xpIntoLevel: z.number().int().min(0),
  xpForNextLevel: z.number().int().min(1),
});
export type Progress = z.infer<typeof progressSchema>;

/** Level n starts at 50*n*(n-1) XP: level 1 at 0, 2 at 100, 3 at 300, 4 at 600. */
export function levelStartXp(level: number): number {
  return 50 * level * (level - 1);
}

/** `xpForNextLevel` is the width of the current level (the XP between its start and the next). */
export function progressFromXp(totalXp: number): Progress {
  // NaN or Infinity (say, a corrupt legacy balance) would otherwise loop forever below.
  const xp = Number.isFinite(totalXp) ? Math.max(0, Math.floor(totalXp)) : 0;
  // Solve 50n(n-1) <= xp for the largest n, then correct for floating-point error at the edges.
  let level = Math.max(1, Math.floor((1 + Math.sqrt(1 + xp / 12.5)) / 2));
  while (levelStartXp(level + 1) <= xp) level += 1;
  while (level > 1 && levelStartXp(level) > xp) level -= 1;
  const start = levelStartXp(level);
  return {
    totalXp: xp,
    level,
    xpIntoLevel: xp - start,
    xpForNextLevel: levelStartXp(level + 1) - start,
  };
}

export function xpForCount(count: number): number {
  return count * XP_PER_COMPLETION_UNIT;
}
