import { docData } from '../support/admin';
import { deleteAllClients, failureOf, signedInUser } from '../support/client';
import { legacyUserWithToken, sim } from '../support/simulator';

afterAll(deleteAllClients);

describe('legacy-link', () => {
  it('stores the web auth token encrypted, after proving it against CloudKit', async () => {
    const user = await signedInUser();
    const token = await legacyUserWithToken(user.uid);
    expect(await user.call('legacy-link', { webAuthToken: token })).toEqual({ linked: true });
    const stored = await docData(`legacyLinks/${user.uid}`);
    expect(typeof stored?.sealedToken).toBe('string');
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('refuses a token CloudKit no longer accepts, and keeps none', async () => {
    const user = await signedInUser();
    const token = await legacyUserWithToken(user.uid);
    await sim('POST', '/__sim/tokens/expire', { uid: user.uid });
    const failure = await failureOf(user.call('legacy-link', { webAuthToken: token }));
    expect(failure.code).toBe('functions/failed-precondition');
    expect((await docData(`legacyLinks/${user.uid}`))?.sealedToken ?? null).toBeNull();
  });

  it('a token CloudKit refuses changes nothing: the token that worked stays held', async () => {
    const user = await signedInUser();
    const token = await legacyUserWithToken(user.uid);
    expect(await user.call('legacy-link', { webAuthToken: token })).toEqual({ linked: true });
    const held = await docData(`legacyLinks/${user.uid}`);

    const failure = await failureOf(
      user.call('legacy-link', { webAuthToken: 'a-token-cloudkit-never-issued' }),
    );
    expect(failure.code).toBe('functions/failed-precondition');
    const after = await docData(`legacyLinks/${user.uid}`);
    expect(after?.tokenDigest).toBe(held?.tokenDigest);
    // Still good: linking it again is accepted.
    expect(await user.call('legacy-link', { webAuthToken: token })).toEqual({ linked: true });
  });

  it('rejects an empty token with the field path', async () => {
    const user = await signedInUser();
    const failure = await failureOf(user.call('legacy-link', { webAuthToken: '  ' }));
    expect(failure.code).toBe('functions/invalid-argument');
    expect(failure.details).toEqual({
      issues: [{ path: 'webAuthToken', message: expect.any(String) }],
    });
    expect(await docData(`legacyLinks/${user.uid}`)).toBeUndefined();
  });
});
