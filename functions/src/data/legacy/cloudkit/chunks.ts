/** CloudKit takes at most 200 operations per request and returns at most 200 records. */
export const CLOUDKIT_BATCH_LIMIT = 200;

export function chunks<T>(items: readonly T[], size = CLOUDKIT_BATCH_LIMIT): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
