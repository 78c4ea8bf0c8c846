import {
  type BackfillMessage,
  backfillMessageSchema,
  backfillTaskSchema,
  fanOutTaskSchema,
  uidSchema,
} from '../../../functions/src/domain/backfillMessages';
import {
  dispatchBackfill,
  parseBackfillMessage,
} from '../../../functions/src/migration/backfillDispatcher';
import type { BackfillRequests } from '../../../functions/src/migration/backfillRequests';
import type { BackfillTasks } from '../../../functions/src/migration/backfillTasks';
import type { CatchUpTasks } from '../../../functions/src/migration/catchUpTasks';

/** A Pub/Sub payload as the trigger receives it: base64 of the JSON. */
const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

const uids = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);

describe('parseBackfillMessage: valid messages', () => {
  it.each<{ name: string; payload: object; message: BackfillMessage }>([
    {
      name: 'one user, defaults',
      payload: { type: 'user', uid: 'u1' },
      message: { type: 'user', uid: 'u1', force: false, dryRun: false },
    },
    {
      name: 'one user, forced dry run',
      payload: { type: 'user', uid: 'u1', force: true, dryRun: true },
      message: { type: 'user', uid: 'u1', force: true, dryRun: true },
    },
    {
      name: 'a uid of 128 characters',
      payload: { type: 'user', uid: 'a'.repeat(128) },
      message: { type: 'user', uid: 'a'.repeat(128), force: false, dryRun: false },
    },
    {
      name: 'named users, defaults',
      payload: { type: 'users', uids: ['u1', 'u2'] },
      message: { type: 'users', uids: ['u1', 'u2'], force: false, dryRun: false },
    },
    {
      name: 'one named user',
      payload: { type: 'users', uids: ['u1'], dryRun: true },
      message: { type: 'users', uids: ['u1'], force: false, dryRun: true },
    },
    {
      name: '500 named users',
      payload: { type: 'users', uids: uids(500), force: true },
      message: { type: 'users', uids: uids(500), force: true, dryRun: false },
    },
    {
      name: 'everyone, defaults',
      payload: { type: 'all' },
      message: { type: 'all', force: false, dryRun: false },
    },
    {
      name: 'everyone, dry run',
      payload: { type: 'all', dryRun: true },
      message: { type: 'all', force: false, dryRun: true },
    },
    {
      name: 'a catch-up of one user',
      payload: { type: 'catchup', uid: 'u1' },
      message: { type: 'catchup', uid: 'u1' },
    },
    {
      name: 'a catch-up of named users',
      payload: { type: 'catchup', uids: ['u1', 'u2'] },
      message: { type: 'catchup', uids: ['u1', 'u2'] },
    },
    {
      name: 'a catch-up of every migrated user',
      payload: { type: 'catchup', all: true },
      message: { type: 'catchup', all: true },
    },
  ])('$name', ({ payload, message }) => {
    expect(parseBackfillMessage(encode(payload))).toEqual({ ok: true, message });
  });
});

interface InvalidCase {
  name: string;
  data: string | undefined;
  /** The whole reason, or its shape: `path: message`, naming the field. */
  reason: string | RegExp;
}

const NOT_JSON = 'the message is not JSON';
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('parseBackfillMessage: invalid messages name what is wrong', () => {
  // prettier-ignore
  const cases: InvalidCase[] = [
    { name: 'no data', data: undefined, reason: NOT_JSON },
    { name: 'empty data', data: '', reason: NOT_JSON },
    { name: 'base64 of text that is not JSON', data: base64('hello'), reason: NOT_JSON },
    { name: 'JSON that was not base64-encoded', data: '{"type":"all"}', reason: NOT_JSON },
    { name: 'base64 of truncated JSON', data: base64('{"type":"us'), reason: NOT_JSON },
    { name: 'JSON that is not an object', data: encode(42), reason: /^\(root\): / },
    { name: 'JSON null', data: encode(null), reason: /^\(root\): / },
    { name: 'no type', data: encode({ uid: 'u1' }), reason: /^type: / },
    { name: 'an unknown type', data: encode({ type: 'everyone' }), reason: /^type: / },
    { name: 'an unknown key', data: encode({ type: 'user', uid: 'u1', priority: 1 }), reason: 'priority: unknown field' },
    { name: 'uids on a single-user message', data: encode({ type: 'user', uid: 'u1', uids: ['u2'] }), reason: 'uids: unknown field' },
    { name: 'a uid on an all message', data: encode({ type: 'all', uid: 'u1' }), reason: 'uid: unknown field' },
    { name: 'no uid', data: encode({ type: 'user' }), reason: /^uid: / },
    { name: 'an empty uid', data: encode({ type: 'user', uid: '' }), reason: /^uid: / },
    { name: 'a uid with a slash', data: encode({ type: 'user', uid: 'a/b' }), reason: 'uid: must not contain "/"' },
    { name: 'a uid of 129 characters', data: encode({ type: 'user', uid: 'a'.repeat(129) }), reason: /^uid: / },
    { name: 'a numeric uid', data: encode({ type: 'user', uid: 7 }), reason: /^uid: / },
    { name: 'no uids', data: encode({ type: 'users' }), reason: /^uids: / },
    { name: 'zero uids', data: encode({ type: 'users', uids: [] }), reason: /^uids: / },
    { name: '501 uids', data: encode({ type: 'users', uids: uids(501) }), reason: /^uids: / },
    { name: 'a bad uid among many', data: encode({ type: 'users', uids: ['u1', 'a/b'] }), reason: 'uids.1: must not contain "/"' },
    { name: 'an empty uid among many', data: encode({ type: 'users', uids: ['u1', 'u2', ''] }), reason: /^uids\.2: / },
    { name: 'force as a string', data: encode({ type: 'user', uid: 'u1', force: 'yes' }), reason: /^force: / },
    { name: 'force as null', data: encode({ type: 'all', force: null }), reason: /^force: / },
    { name: 'dryRun as a number', data: encode({ type: 'users', uids: ['u1'], dryRun: 1 }), reason: /^dryRun: / },
    { name: 'a catch-up naming no one', data: encode({ type: 'catchup' }), reason: '(root): name exactly one of uid, uids or all' },
    { name: 'a catch-up naming a user and all', data: encode({ type: 'catchup', uid: 'u1', all: true }), reason: '(root): name exactly one of uid, uids or all' },
    { name: 'a catch-up with all: false', data: encode({ type: 'catchup', all: false }), reason: /^all: / },
    { name: 'a forced catch-up (force is a re-copy)', data: encode({ type: 'catchup', uid: 'u1', force: true }), reason: 'force: unknown field' },
    { name: 'a catch-up of a uid with a slash', data: encode({ type: 'catchup', uid: 'a/b' }), reason: 'uid: must not contain "/"' },
    { name: 'a catch-up of 501 users', data: encode({ type: 'catchup', uids: uids(501) }), reason: /^uids: / },
  ];

  it.each(cases)('$name', ({ data, reason }) => {
    const parsed = parseBackfillMessage(data);

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    if (typeof reason === 'string') expect(parsed.reason).toBe(reason);
    else expect(parsed.reason).toMatch(reason);
  });

  it('keeps the issues for the log, one entry per problem', () => {
    const parsed = parseBackfillMessage(encode({ type: 'user', uid: '', force: 'no', extra: 1 }));

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual(expect.any(Array));
    expect(
      parsed.reason
        .split('; ')
        .map((part) => part.split(':')[0])
        .sort(),
    ).toEqual(['extra', 'force', 'uid']);
  });
});

describe('the backfill schemas', () => {
  it.each([
    { uid: 'u1', ok: true },
    { uid: 'A-zA_0.9@x', ok: true },
    { uid: 'a'.repeat(128), ok: true },
    { uid: '', ok: false },
    { uid: 'a'.repeat(129), ok: false },
    { uid: '/', ok: false },
    { uid: 'users/u1', ok: false },
    { uid: '..', ok: false },
    { uid: '__x__', ok: false },
  ])('uid "$uid": $ok', ({ uid, ok }) => {
    expect(uidSchema.safeParse(uid).success).toBe(ok);
  });

  it('fills force and dryRun in, whatever the type', () => {
    for (const payload of [
      { type: 'user', uid: 'u' },
      { type: 'users', uids: ['u'] },
      { type: 'all' },
    ]) {
      expect(backfillMessageSchema.parse(payload)).toMatchObject({ force: false, dryRun: false });
    }
  });

  const task = { uid: 'u1', runId: 'r1', batch: 0, dryRun: false };
  it.each<{ name: string; value: object; ok: boolean }>([
    { name: 'a first batch', value: task, ok: true },
    { name: 'a later batch', value: { ...task, batch: 12, dryRun: true }, ok: true },
    { name: 'a negative batch', value: { ...task, batch: -1 }, ok: false },
    { name: 'a fractional batch', value: { ...task, batch: 1.5 }, ok: false },
    { name: 'an empty run id', value: { ...task, runId: '' }, ok: false },
    { name: 'a uid with a slash', value: { ...task, uid: 'a/b' }, ok: false },
    { name: 'no dryRun', value: { uid: 'u1', runId: 'r1', batch: 0 }, ok: false },
    { name: 'an unknown key', value: { ...task, attempts: 2 }, ok: false },
  ])('backfill task, $name: $ok', ({ value, ok }) => {
    expect(backfillTaskSchema.safeParse(value).success).toBe(ok);
  });

  const fanOut = { fanOutId: 'm1', pageToken: null, force: false, dryRun: false };
  it.each<{ name: string; value: object; ok: boolean }>([
    { name: 'the first page', value: fanOut, ok: true },
    { name: 'a later page', value: { ...fanOut, pageToken: 'p2' }, ok: true },
    { name: 'an empty fan-out id', value: { ...fanOut, fanOutId: '' }, ok: false },
    { name: 'no page token', value: { fanOutId: 'm1', force: false, dryRun: false }, ok: false },
    { name: 'an unknown key', value: { ...fanOut, uids: [] }, ok: false },
  ])('fan-out task, $name: $ok', ({ value, ok }) => {
    expect(fanOutTaskSchema.safeParse(value).success).toBe(ok);
  });
});

describe('dispatchBackfill: a message as work', () => {
  function fakes() {
    const request = jest.fn(async () => ({}) as never);
    const enqueueFanOut = jest.fn(async () => undefined);
    const enqueueBatch = jest.fn(async () => undefined);
    const enqueueCatchUp = jest.fn(async () => undefined);
    const enqueueSweep = jest.fn(async () => undefined);
    return {
      request,
      enqueueFanOut,
      enqueueBatch,
      enqueueCatchUp,
      enqueueSweep,
      requests: { request } as unknown as BackfillRequests,
      tasks: { enqueueBatch, enqueueFanOut } as BackfillTasks,
      catchUps: { enqueueCatchUp, enqueueSweep } as CatchUpTasks,
    };
  }
  const message = (messageId: string) => ({ messageId, publishTime: '2026-11-30T10:00:00.5Z' });

  it('queues one user with the run kind', async () => {
    const f = fakes();

    await dispatchBackfill(
      { type: 'user', uid: 'u1', force: true, dryRun: false },
      message('m1'),
      f.requests,
      f.tasks,
      f.catchUps,
    );

    expect(f.request.mock.calls).toEqual([['u1', { force: true, dryRun: false }]]);
    expect(f.enqueueFanOut).not.toHaveBeenCalled();
  });

  it('queues each named user once', async () => {
    const f = fakes();
    const named = [...uids(25), 'user-3', 'user-0'];

    await dispatchBackfill(
      { type: 'users', uids: named, force: false, dryRun: true },
      message('m1'),
      f.requests,
      f.tasks,
      f.catchUps,
    );

    expect(f.request.mock.calls).toEqual(
      uids(25).map((uid) => [uid, { force: false, dryRun: true }]),
    );
    expect(f.enqueueFanOut).not.toHaveBeenCalled();
  });

  it('fans out over everyone, keyed by the message id', async () => {
    const f = fakes();

    await dispatchBackfill(
      { type: 'all', force: false, dryRun: true },
      message('m42'),
      f.requests,
      f.tasks,
      f.catchUps,
    );

    expect(f.enqueueFanOut.mock.calls).toEqual([
      [{ fanOutId: 'm42', pageToken: null, force: false, dryRun: true }],
    ]);
    expect(f.request).not.toHaveBeenCalled();
  });

  it('asks for a catch-up of each named user once, at the time the message was published', async () => {
    const f = fakes();

    await dispatchBackfill(
      { type: 'catchup', uids: ['u1', 'u2', 'u1'] },
      message('m7'),
      f.requests,
      f.tasks,
      f.catchUps,
    );

    expect(f.enqueueCatchUp.mock.calls).toEqual([
      [{ uid: 'u1', requestedAt: '2026-11-30T10:00:00.500Z' }, 'message:m7'],
      [{ uid: 'u2', requestedAt: '2026-11-30T10:00:00.500Z' }, 'message:m7'],
    ]);
    expect(f.request).not.toHaveBeenCalled();
    expect(f.enqueueSweep).not.toHaveBeenCalled();
  });

  it('sweeps every migrated user for a catch-up of all, keyed by the message id', async () => {
    const f = fakes();

    await dispatchBackfill(
      { type: 'catchup', all: true },
      message('m8'),
      f.requests,
      f.tasks,
      f.catchUps,
    );

    expect(f.enqueueSweep.mock.calls).toEqual([
      [{ sweepId: 'm8', scope: 'all', dueBefore: '2026-11-30T10:00:00.500Z', after: null }],
    ]);
    expect(f.enqueueCatchUp).not.toHaveBeenCalled();
  });
});
