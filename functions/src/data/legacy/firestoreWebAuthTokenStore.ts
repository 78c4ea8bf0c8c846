import { createHash } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import type { TokenCipher } from './tokenCipher';
import type { WebAuthTokenStore } from './webAuthTokens';

/**
 * Ciphertexts differ for the same token (random IV), so compare-and-swap compares a digest kept
 * beside it. Salted with the uid so equal tokens of two users never look alike.
 */
function tokenDigest(uid: string, token: string): string {
  return createHash('sha256').update(`${uid}\n${token}`).digest('base64url');
}

/**
 * Tokens live in `legacyLinks/{uid}`, outside the user's readable subtree (the rules deny all
 * client access), encrypted. Rotation and invalidation are transactions on the digest of the
 * token the caller sent (one read, one write each).
 */
export class FirestoreWebAuthTokenStore implements WebAuthTokenStore {
  constructor(
    private readonly db: Firestore,
    private readonly cipher: TokenCipher,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private doc(uid: string) {
    return this.db.collection('legacyLinks').doc(uid);
  }

  private sealed(uid: string, token: string) {
    return {
      sealedToken: this.cipher.encrypt(uid, token),
      tokenDigest: tokenDigest(uid, token),
      updatedAt: this.clock().toISOString(),
    };
  }

  async get(uid: string): Promise<string | undefined> {
    const snap = await this.doc(uid).get();
    const sealed = snap.get('sealedToken') as string | undefined;
    return sealed ? this.cipher.decrypt(uid, sealed) : undefined;
  }

  async link(uid: string, token: string): Promise<void> {
    await this.doc(uid).set({ ...this.sealed(uid, token), linkedAt: this.clock().toISOString() });
  }

  rotate(uid: string, sent: string, next: string): Promise<boolean> {
    return this.swap(uid, sent, () => this.sealed(uid, next));
  }

  invalidate(uid: string, sent: string): Promise<boolean> {
    const at = this.clock().toISOString();
    return this.swap(uid, sent, () => ({
      sealedToken: null,
      tokenDigest: null,
      invalidatedAt: at,
      updatedAt: at,
    }));
  }

  restore(uid: string, refused: string, previous: string): Promise<boolean> {
    return this.swap(uid, refused, () => this.sealed(uid, previous), { orNone: true });
  }

  private swap(
    uid: string,
    sent: string,
    next: () => Record<string, unknown>,
    { orNone = false } = {},
  ): Promise<boolean> {
    const ref = this.doc(uid);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      const held = (snap.get('tokenDigest') as string | null | undefined) ?? null;
      const none = orNone && held === null;
      if (!none && held !== tokenDigest(uid, sent)) return false;
      tx.set(ref, next(), { merge: true });
      return true;
    });
  }
}
