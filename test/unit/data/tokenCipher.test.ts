import { randomBytes } from 'node:crypto';
import { TokenCipher } from '../../../functions/src/data/legacy/tokenCipher';

const key = randomBytes(32).toString('base64');

describe('TokenCipher', () => {
  it('round-trips a token for its user, and hides it', () => {
    const cipher = new TokenCipher(key);
    const sealed = cipher.encrypt('uid-1', 'web-auth-token+/=');
    expect(sealed).not.toContain('web-auth-token');
    expect(cipher.decrypt('uid-1', sealed)).toBe('web-auth-token+/=');
  });

  it('seals the same token differently each time', () => {
    const cipher = new TokenCipher(key);
    expect(cipher.encrypt('u', 't')).not.toBe(cipher.encrypt('u', 't'));
  });

  it.each([
    ['another user', (sealed: string) => new TokenCipher(key).decrypt('uid-2', sealed)],
    [
      'another key',
      (sealed: string) =>
        new TokenCipher(randomBytes(32).toString('base64')).decrypt('uid-1', sealed),
    ],
    [
      'a tampered body',
      (sealed: string) => {
        const [iv, tag, body] = sealed.split('.');
        const flipped = Buffer.from(body, 'base64');
        flipped[0] ^= 1;
        return new TokenCipher(key).decrypt(
          'uid-1',
          [iv, tag, flipped.toString('base64')].join('.'),
        );
      },
    ],
    ['garbage', () => new TokenCipher(key).decrypt('uid-1', 'not-sealed')],
  ])('refuses %s', (_case, open) => {
    const sealed = new TokenCipher(key).encrypt('uid-1', 'secret-token');
    expect(open(sealed)).toBeUndefined();
  });

  it('insists on a 32-byte key', () => {
    expect(() => new TokenCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
