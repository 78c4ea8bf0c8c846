import { badRequest } from './ckErrors';
import { isObject } from './httpIo';

/** Readers for request-body members: a wrong type is the client's error (400), never a crash. */

export function optionalInt(
  body: Record<string, unknown>,
  key: string,
  min: number,
): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw badRequest(`${key} must be an integer >= ${min}`);
  }
  return value;
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${key} must be a string`);
  return value;
}

export function requiredString(body: Record<string, unknown>, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined || value === '') throw badRequest(`${key} is required`);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${key} must be a boolean`);
  return value;
}

export function requiredArray(body: Record<string, unknown>, key: string): unknown[] {
  const value = body[key];
  if (!Array.isArray(value)) throw badRequest(`${key} must be an array`);
  return value;
}

export function optionalObject(
  body: Record<string, unknown>,
  key: string,
): Record<string, unknown> | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badRequest(`${key} must be an object`);
  return value;
}

/** CloudKit caps result pages at 200 and quietly serves at most that many. */
export function resultsLimit(body: Record<string, unknown>): number {
  return Math.min(optionalInt(body, 'resultsLimit', 1) ?? 200, 200);
}
