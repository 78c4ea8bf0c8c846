import { randomUUID } from 'node:crypto';
import { UserLeases } from '../../../functions/src/data/firestore/userLease';
import { isolatedFirestore } from '../support/admin';

/**
 * The per-user lease every CloudKit conversation, outbox drain and catch-up runs under, on the real
 * Firestore emulator. Holders overlap on purpose: release must never free a lease someone else
 * holds, and a holder's own lease must always be freed, however it was last written.
 */
describe('UserLeases', () => {
  const db = isolatedFirestore('demo-user-leases');
  const collection = 'leases';
  const holder = async (uid: string) => (await db.collection(collection).doc(uid).get()).data();

  it('never runs two holders of a user at once, and frees the lease when the last ends', async () => {
    const uid = randomUUID();
    // Two instances, as two function instances would be.
    const instances = [new UserLeases(db, collection), new UserLeases(db, collection)];
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await new Promise((resolve) => setImmediate(resolve));
      inside -= 1;
    };
    const timing = { leaseMs: 30_000, waitMs: 20_000 };
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => instances[i % 2].run(uid, timing, work)),
    );
    expect(most).toBe(1);
    expect(await holder(uid)).toBeUndefined();
  });

  it('leaves a lease taken over after it expired to its new holder', async () => {
    const uid = randomUUID();
    let now = Date.now();
    const clock = () => new Date(now);
    const first = new UserLeases(db, collection, clock);
    const second = new UserLeases(db, collection, clock);
    expect(await first.acquire(uid, 'first', 1_000)).toBe(true);
    now += 5_000; // the first holder is presumed dead
    expect(await second.acquire(uid, 'second', 1_000)).toBe(true);
    await first.release(uid, 'first');
    expect(await holder(uid)).toMatchObject({ owner: 'second' });
    await second.release(uid, 'second');
    expect(await holder(uid)).toBeUndefined();
  });

  it('frees a lease its holder renewed through another instance', async () => {
    const uid = randomUUID();
    const here = new UserLeases(db, collection);
    const elsewhere = new UserLeases(db, collection);
    expect(await here.acquire(uid, 'owner', 30_000)).toBe(true);
    expect(await elsewhere.acquire(uid, 'owner', 30_000)).toBe(true);
    // What `here` last wrote is no longer the lease's version: it must read who holds it.
    await here.release(uid, 'owner');
    expect(await holder(uid)).toBeUndefined();
  });

  it('does not free a lease someone else holds', async () => {
    const uid = randomUUID();
    const leases = new UserLeases(db, collection);
    expect(await leases.acquire(uid, 'holder', 30_000)).toBe(true);
    expect(await leases.acquire(uid, 'other', 30_000)).toBe(false);
    await leases.release(uid, 'other');
    expect(await holder(uid)).toMatchObject({ owner: 'holder' });
    await leases.release(uid, 'holder');
    expect(await holder(uid)).toBeUndefined();
  });
});
