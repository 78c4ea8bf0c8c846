import { badRequest } from './ckErrors';
import { isObject } from './httpIo';
import type { SimUser } from './store';

/**
 * Opaque to clients, plain to us: base64 of JSON. Sync tokens carry only persisted numbers, so a
 * token stays valid across simulator restarts with the same data file.
 */

function encode(payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
}

function decode(token: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw badRequest(`invalid ${what}`);
  }
  if (!isObject(parsed)) throw badRequest(`invalid ${what}`);
  return parsed;
}

export function encodeSyncToken(user: SimUser, seq: number): string {
  return encode({ v: 1, e: user.epoch, s: seq });
}

/** Returns the seq the token stands for: only changes after it are new to the holder. */
export function decodeSyncToken(user: SimUser, token: string): number {
  const payload = decode(token, 'syncToken');
  const seq = payload.s;
  if (payload.e !== user.epoch || typeof seq !== 'number' || !Number.isInteger(seq)) {
    throw badRequest('invalid syncToken: not issued for this zone');
  }
  if (seq < 0 || seq > user.seq) throw badRequest('invalid syncToken: unknown change');
  return seq;
}

/** Query pages resume after the last key served (a uid or a record name), not at an offset. */
export function encodeMarker(after: string): string {
  return encode({ v: 1, a: after });
}

export function decodeMarker(marker: string): string {
  const after = decode(marker, 'continuationMarker').a;
  if (typeof after !== 'string') throw badRequest('invalid continuationMarker');
  return after;
}
