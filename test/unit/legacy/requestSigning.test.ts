import { createPublicKey, verify } from 'node:crypto';
import {
  cloudKitDate,
  signRequest,
  stringToSign,
} from '../../../functions/src/data/legacy/cloudkit/requestSigning';

// A throwaway P-256 key made once for these tests; it signs nothing anywhere else.
const PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1vYp/DrnenBqWJH3
3jEoAotf9s9Uf7wyMWxmaAo89KqhRANCAASCnW/Iogyor5bqmmCyQ5o4fVJ54KLD
KmOIUHR5Z89iLxJ5cQAwXBBVyOYD2dYp10aKMaUH0qh2BXIxFkQOOGo0
-----END PRIVATE KEY-----
`;
const PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgp1vyKIMqK+W6ppgskOaOH1SeeCi
wypjiFB0eWfPYi8SeXEAMFwQVcjmA9nWKddGijGlB9KodgVyMRZEDjhqNA==
-----END PUBLIC KEY-----
`;

const DATE = '2016-01-25T22:15:43Z';
const BODY = '{"query":{"recordType":"AppUser"}}';
const SUBPATH = '/database/1/iCloud.com.example.habits/development/public/records/query';

function verifies(date: string, body: string, subpath: string, signature: string): boolean {
  return verify(
    'sha256',
    Buffer.from(stringToSign(date, body, subpath)),
    createPublicKey(PUBLIC_KEY_PEM),
    Buffer.from(signature, 'base64'),
  );
}

describe('cloudKitDate', () => {
  it('drops the milliseconds CloudKit rejects', () => {
    expect(cloudKitDate(new Date(Date.UTC(2016, 0, 25, 22, 15, 43, 789)))).toBe(DATE);
  });

  it('keeps whole seconds as they are', () => {
    expect(cloudKitDate(new Date('2026-03-01T00:00:00.000Z'))).toBe('2026-03-01T00:00:00Z');
  });
});

describe('stringToSign', () => {
  it('is date, base64 SHA-256 of the body and subpath, joined by colons', () => {
    expect(stringToSign(DATE, BODY, SUBPATH)).toBe(
      `${DATE}:XH7rL+OQa32HMCMqX/3thwT2FYzz/fP3hmGMWuOonbk=:${SUBPATH}`,
    );
  });

  it('hashes an empty body (a GET) as the empty string', () => {
    expect(stringToSign(DATE, '', '/database/1/c/development/public/zones/list')).toBe(
      `${DATE}:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:/database/1/c/development/public/zones/list`,
    );
  });
});

describe('signRequest', () => {
  const headers = signRequest({
    keyId: 'key-1',
    privateKeyPem: PRIVATE_KEY_PEM,
    date: DATE,
    body: BODY,
    subpath: SUBPATH,
  });
  const signature = headers['X-Apple-CloudKit-Request-SignatureV1'];

  it('names the key and the date it signed', () => {
    expect(headers['X-Apple-CloudKit-Request-KeyID']).toBe('key-1');
    expect(headers['X-Apple-CloudKit-Request-ISO8601Date']).toBe(DATE);
  });

  it('makes a DER ECDSA signature the public key verifies', () => {
    // DER: a SEQUENCE (0x30) of two INTEGERs, 70 to 72 bytes for P-256.
    const der = Buffer.from(signature, 'base64');
    expect(der[0]).toBe(0x30);
    expect(der.length).toBeGreaterThanOrEqual(68);
    expect(der.length).toBeLessThanOrEqual(72);
    expect(verifies(DATE, BODY, SUBPATH, signature)).toBe(true);
  });

  it('does not verify for a tampered body, subpath or date', () => {
    expect(verifies(DATE, BODY.replace('AppUser', 'AppUsers'), SUBPATH, signature)).toBe(false);
    expect(verifies(DATE, BODY, SUBPATH.replace('public', 'private'), signature)).toBe(false);
    expect(verifies('2016-01-25T22:15:44Z', BODY, SUBPATH, signature)).toBe(false);
  });

  it('signs afresh each time, and every signature verifies', () => {
    const other = signRequest({
      keyId: 'key-1',
      privateKeyPem: PRIVATE_KEY_PEM,
      date: DATE,
      body: BODY,
      subpath: SUBPATH,
    });
    // ECDSA is randomised: two signatures differ, yet both verify.
    expect(other['X-Apple-CloudKit-Request-SignatureV1']).not.toBe(signature);
    expect(verifies(DATE, BODY, SUBPATH, other['X-Apple-CloudKit-Request-SignatureV1'])).toBe(true);
  });
});
