import { scrubSecrets } from '../../../functions/src/data/legacy/cloudkit/secretScrub';

describe('scrubSecrets', () => {
  it('removes known secrets, plain and URL-encoded', () => {
    const token = 'ab+c/d==';
    const text = `bad token ${token} in ?ckWebAuthToken=${encodeURIComponent(token)}`;
    const scrubbed = scrubSecrets(text, [token, undefined]);
    expect(scrubbed).not.toContain(token);
    expect(scrubbed).not.toContain(encodeURIComponent(token));
  });

  it('removes token query parameters even for tokens it was not told about', () => {
    expect(scrubSecrets('GET /x?ckAPIToken=abc&ckWebAuthToken=def&z=1', [])).toBe(
      'GET /x?ckAPIToken=[redacted]&ckWebAuthToken=[redacted]&z=1',
    );
  });
});
