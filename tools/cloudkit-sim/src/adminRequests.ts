import { CkError, badRequest } from './ckErrors';
import { generateDemoData } from './demoData';
import { isObject, parseJsonObject } from './httpIo';
import { newChangeTag } from './modifyOperation';
import { optionalInt, optionalString, requiredArray, requiredString } from './requestFields';
import { importUsers } from './seeding';
import { ok, type Reply, type SimContext } from './simContext';
import type { SimUser } from './store';
import type { CkRecord } from './types';
import { TOKEN_MODES, isTokenMode, type TokenMode } from './webAuthTokens';

const USER_RECORDS = /^\/__sim\/users\/([^/]+)\/records$/;

/**
 * The simulator's back door for tests and `npm start`: no auth, and it never consumes faults.
 * It stands in for what only a device could do (mint tokens, write records as the app).
 */
export function adminRequest(ctx: SimContext, method: string, path: string, raw: Buffer): Reply {
  const body = parseJsonObject(raw);
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /__sim/users':
      return ok({
        users: ctx.store.sortedUsers().map((u) => ({
          uid: u.uid,
          userRecordName: u.userRecordName,
          records: ctx.store.liveRecords(u).length,
        })),
      });
    case 'POST /__sim/users': {
      const user = ctx.store.createUser(
        requiredString(body, 'uid'),
        optionalString(body, 'userRecordName'),
      );
      return ok({ uid: user.uid, userRecordName: user.userRecordName });
    }
    case 'POST /__sim/tokens': {
      const mode = tokenModeOf(body);
      const user = userOf(ctx, requiredString(body, 'uid'));
      return ok({ webAuthToken: ctx.tokens.mint(user, mode) });
    }
    case 'POST /__sim/tokens/expire': {
      const uid = optionalString(body, 'uid');
      if (uid !== undefined) userOf(ctx, uid);
      ctx.store.expireTokens(uid);
      return ok({});
    }
    case 'POST /__sim/faults':
      ctx.faults.add(body);
      return ok({});
    case 'DELETE /__sim/faults':
      ctx.faults.clear();
      return ok({});
    case 'POST /__sim/seed': {
      const users = optionalInt(body, 'users', 0) ?? 1;
      const days = optionalInt(body, 'days', 1) ?? 30;
      const seed = optionalInt(body, 'seed', 0);
      const uidPrefix = optionalString(body, 'uidPrefix');
      return ok({
        added: importUsers(ctx.store, generateDemoData({ users, days, seed, uidPrefix })),
      });
    }
    case 'POST /__sim/reset':
      ctx.store.reset();
      ctx.faults.clear();
      return ok({});
  }
  const userPath = USER_RECORDS.exec(path);
  if (userPath && method === 'GET') {
    return ok({ records: ctx.store.liveRecords(userOf(ctx, decodeURIComponent(userPath[1]))) });
  }
  if (userPath && method === 'PUT') {
    return ok({ records: upsertRaw(ctx, userOf(ctx, decodeURIComponent(userPath[1])), body) });
  }
  throw new CkError('NOT_FOUND', `no admin endpoint ${route}`);
}

function tokenModeOf(body: Record<string, unknown>): TokenMode | undefined {
  const mode = body.mode;
  if (mode === undefined || mode === null) return undefined;
  if (!isTokenMode(mode)) throw badRequest(`mode must be one of ${TOKEN_MODES.join(', ')}`);
  return mode;
}

function userOf(ctx: SimContext, uid: string): SimUser {
  const user = ctx.store.users.get(uid);
  if (!user) throw new CkError('NOT_FOUND', `no user ${uid}`);
  return user;
}

/**
 * Writes records as a device would, with no validation beyond a record name, so tests can plant
 * malformed data. Each gets a fresh change tag (a device edit always changes it) and a new seq;
 * `deleted: true` deletes.
 */
function upsertRaw(ctx: SimContext, user: SimUser, body: Record<string, unknown>): unknown[] {
  const records = requiredArray(body, 'records');
  if (
    !records.every((r) => isObject(r) && typeof r.recordName === 'string' && r.recordName !== '')
  ) {
    throw badRequest('every record needs a recordName');
  }
  return (records as Array<Record<string, unknown>>).map((raw) => {
    const recordName = raw.recordName as string;
    if (raw.deleted === true) {
      ctx.store.write(user, recordName, undefined);
      return { recordName, deleted: true };
    }
    const record = { ...raw, recordChangeTag: newChangeTag() } as unknown as CkRecord;
    ctx.store.write(user, recordName, record);
    return record;
  });
}
