import type { Firestore } from 'firebase-admin/firestore';
import type { TokenCipher } from './tokenCipher';
import type { WebAuthTokenStore } from './webAuthTokens';

/**
 * Tokens live in `legacyLinks/{uid}`, outside the user's readable subtree (the rules deny all
 * client access), encrypted. A newer token always replaces the older one.
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

  async get(uid: string): Promise<string | undefined> {
    const snap = await this.doc(uid).get();
    const sealed = snap.get('sealedToken') as string | undefined;
    return sealed ? this.cipher.decrypt(uid, sealed) : undefined;
  }

  async replace(uid: string, token: string): Promise<void> {
    await this.doc(uid).set({
      sealedToken: this.cipher.encrypt(uid, token),
      updatedAt: this.clock().toISOString(),
    });
  }

  async invalidate(uid: string): Promise<void> {
    await this.doc(uid).set({ sealedToken: null, invalidatedAt: this.clock().toISOString() });
  }
}
