import { createHash, createPrivateKey, sign } from 'node:crypto';

/** CloudKit rejects fractional seconds in the request date header. */
export function cloudKitDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `subpath` is the URL path only: the query string is not part of what CloudKit verifies. */
export function stringToSign(date: string, body: string, subpath: string): string {
  const bodyHash = createHash('sha256').update(body, 'utf8').digest('base64');
  return `${date}:${bodyHash}:${subpath}`;
}

export interface SigningInput {
  keyId: string;
  privateKeyPem: string;
  /** Already formatted by `cloudKitDate`, so the header and the signed string cannot disagree. */
  date: string;
  body: string;
  subpath: string;
}

export interface SignatureHeaders {
  'X-Apple-CloudKit-Request-KeyID': string;
  'X-Apple-CloudKit-Request-ISO8601Date': string;
  'X-Apple-CloudKit-Request-SignatureV1': string;
}

/**
 * Server-to-server signature (ECDSA P-256 over SHA-256). Node emits the DER encoding, which is what
 * Apple's own examples (openssl dgst -sign) produce; Apple never states the encoding outright.
 */
export function signRequest(input: SigningInput): SignatureHeaders {
  const key = createPrivateKey(input.privateKeyPem);
  const data = Buffer.from(stringToSign(input.date, input.body, input.subpath), 'utf8');
  return {
    'X-Apple-CloudKit-Request-KeyID': input.keyId,
    'X-Apple-CloudKit-Request-ISO8601Date': input.date,
    'X-Apple-CloudKit-Request-SignatureV1': sign('sha256', data, key).toString('base64'),
  };
}
