import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CkError } from './ckErrors';

const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;
// CloudKit refuses fractional seconds, so the simulator does too: clients must format exactly.
const DATE_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export type ServerKeys = Map<string, KeyObject>;

/** Parsed once at start, so a bad PEM fails the launch instead of every request. */
export function loadServerKeys(keys: Array<{ keyId: string; publicKeyPem: string }>): ServerKeys {
  return new Map(keys.map((k) => [k.keyId, createPublicKey(k.publicKeyPem)]));
}

const refuse = (reason: string): CkError => new CkError('AUTHENTICATION_FAILED', reason);

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a server-to-server request: signature over `date:base64(sha256(body)):subpath`, DER
 * ECDSA P-256 (what Node's crypto.sign emits), subpath = URL path without the query string.
 */
export function verifyServerRequest(
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  subpath: string,
  keys: ServerKeys,
  now = Date.now(),
): void {
  const keyId = header(headers, 'X-Apple-CloudKit-Request-KeyID');
  const date = header(headers, 'X-Apple-CloudKit-Request-ISO8601Date');
  const signature = header(headers, 'X-Apple-CloudKit-Request-SignatureV1');
  if (!keyId || !date || !signature) throw refuse('missing server-to-server signature headers');
  const key = keys.get(keyId);
  if (!key) throw refuse(`unknown server key ${keyId}`);
  if (!DATE_FORMAT.test(date)) throw refuse('request date must look like 2016-01-25T22:15:43Z');
  if (Math.abs(now - Date.parse(date)) > MAX_CLOCK_SKEW_MS) {
    throw refuse('request date is more than 10 minutes off');
  }
  const bodyHash = createHash('sha256').update(rawBody).digest('base64');
  const signed = Buffer.from(`${date}:${bodyHash}:${subpath}`, 'utf8');
  let valid = false;
  try {
    valid = verify('sha256', signed, key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false; // malformed DER: as wrong as a wrong signature
  }
  if (!valid) throw refuse('signature does not verify');
}
