import { LegacyStoreError, LegacyUnavailableError } from '../legacyErrors';
import {
  COREDATA_ZONE,
  type InvalidLegacyRecord,
  type LegacyDeletion,
  type LegacyRecord,
} from '../legacyRecords';
import {
  type AwaitingLink,
  type LegacyCallOptions,
  type LegacyChangePage,
  type LegacyLookup,
  type LegacyStore,
  type LegacyUser,
  type LegacyUserPage,
  type LegacyWrite,
  type LegacyWriteOutcome,
  isAwaitingLink,
} from '../legacyStore';
import type { WebAuthTokenStore } from '../webAuthTokens';
import { APP_USER_RECORD_TYPE, appUserFromRecord } from './ckAppUsers';
import { RETRYABLE_CODES, asServerError } from './ckErrors';
import { type CkClientOptions, CkHttpClient } from './ckHttpClient';
import { logs } from '../../../logs';
import { decodeRecord } from './ckRecordCodec';
import { changesResponse, parseResponse, queryResponse, recordsResponse } from './ckResponses';
import { toOperation, toOutcome } from './ckWrites';
import { CLOUDKIT_BATCH_LIMIT, chunks } from './chunks';
import type { CloudKitConfig } from './cloudKitConfig';

/** Core Data mirrors into this zone of the user's private database; owner = the token's user. */
const ZONE_ID = { zoneName: COREDATA_ZONE };

const batchSize = (limit: number) => Math.min(Math.max(1, Math.floor(limit)), CLOUDKIT_BATCH_LIMIT);

/** The legacy store on CloudKit Web Services (or the simulator, which speaks the same protocol). */
export class CloudKitLegacyStore implements LegacyStore {
  private readonly http: CkHttpClient;

  constructor(config: CloudKitConfig, tokens: WebAuthTokenStore, options: CkClientOptions = {}) {
    this.http = new CkHttpClient(config, tokens, options);
  }

  async listUsers(pageToken: string | undefined, limit: number): Promise<LegacyUserPage> {
    const body = await this.http.publicCall('records/query', {
      query: { recordType: APP_USER_RECORD_TYPE },
      resultsLimit: batchSize(limit),
      ...(pageToken ? { continuationMarker: pageToken } : {}),
    });
    const page = parseResponse(queryResponse, body, 'records/query');
    const users: LegacyUser[] = [];
    for (const raw of page.records) {
      const user = appUserFromRecord(raw);
      if ('invalid' in user) {
        const name = (raw as { recordName?: unknown } | null)?.recordName;
        logs.skippedAppUser(String(name), user.invalid);
      } else {
        users.push(user);
      }
    }
    return page.continuationMarker ? { users, nextPageToken: page.continuationMarker } : { users };
  }

  async readChanges(
    uid: string,
    cursor: string | null,
    limit: number,
    options: LegacyCallOptions = {},
  ): Promise<LegacyChangePage | AwaitingLink> {
    const body = await this.http.privateCall(
      uid,
      'records/changes',
      {
        zoneID: ZONE_ID,
        resultsLimit: batchSize(limit),
        // CloudKit's syncToken is already opaque and durable: it is the cursor as is.
        ...(cursor === null ? {} : { syncToken: cursor }),
      },
      'POST',
      options,
    );
    if (isAwaitingLink(body)) return body;
    const page = parseResponse(changesResponse, body, 'records/changes');
    return {
      kind: 'page',
      entries: page.records.map(decodeRecord),
      cursor: page.syncToken,
      moreComing: page.moreComing ?? false,
    };
  }

  async lookup(
    uid: string,
    recordNames: string[],
    options: LegacyCallOptions = {},
  ): Promise<LegacyLookup | AwaitingLink> {
    const found: Array<LegacyRecord | InvalidLegacyRecord> = [];
    const missing: string[] = [];
    for (const names of chunks(recordNames)) {
      const body = await this.http.privateCall(
        uid,
        'records/lookup',
        { zoneID: ZONE_ID, records: names.map((recordName) => ({ recordName })) },
        'POST',
        options,
      );
      if (isAwaitingLink(body)) return body;
      const page = parseResponse(recordsResponse, body, 'records/lookup');
      page.records.forEach((raw, i) => {
        const entry = lookupEntry(raw, names[i]);
        if (typeof entry === 'string') missing.push(entry);
        else found.push(entry);
      });
    }
    return { kind: 'lookup', found, missing };
  }

  async write(uid: string, writes: LegacyWrite[]): Promise<LegacyWriteOutcome[] | AwaitingLink> {
    const outcomes: LegacyWriteOutcome[] = [];
    for (const batch of chunks(writes)) {
      let body: unknown;
      try {
        body = await this.http.privateCall(uid, 'records/modify', {
          zoneID: ZONE_ID,
          // CloudKit defaults to atomic in custom zones; we want one outcome per record.
          atomic: false,
          operations: batch.map(toOperation),
        });
      } catch (error) {
        // Earlier batches are applied: their outcomes must reach the caller, not vanish in a throw.
        if (outcomes.length === 0 || !(error instanceof LegacyStoreError)) throw error;
        return [...outcomes, ...unattempted(writes.slice(outcomes.length), error)];
      }
      if (isAwaitingLink(body)) {
        if (outcomes.length === 0) return body;
        const refused = new LegacyUnavailableError(
          'web auth token refused: awaiting link',
          'AUTHENTICATION_REQUIRED',
        );
        return [...outcomes, ...unattempted(writes.slice(outcomes.length), refused)];
      }
      const page = parseResponse(recordsResponse, body, 'records/modify');
      outcomes.push(...matchOutcomes(batch, page.records));
    }
    return outcomes;
  }
}

/** A lookup result entry: a record (valid or not), or the name of one that does not exist. */
function lookupEntry(
  raw: unknown,
  requested: string | undefined,
): LegacyRecord | InvalidLegacyRecord | string {
  const error = asServerError(raw);
  const recordName =
    (raw as { recordName?: unknown } | null)?.recordName ?? requested ?? '(unknown)';
  if (error.serverErrorCode === 'NOT_FOUND') return String(recordName);
  if (error.serverErrorCode) {
    if (RETRYABLE_CODES.has(error.serverErrorCode) || error.retryAfter !== undefined) {
      throw new LegacyUnavailableError(
        `CloudKit records/lookup: ${error.serverErrorCode} for a record`,
        error.serverErrorCode,
        error.retryAfter,
      );
    }
    return {
      kind: 'invalid',
      recordName: String(recordName),
      recordType: '(unknown)',
      reason: `lookup failed: ${error.serverErrorCode}`,
    };
  }
  const decoded: LegacyRecord | LegacyDeletion | InvalidLegacyRecord = decodeRecord(raw);
  return decoded.kind === 'deleted' ? decoded.recordName : decoded;
}

/** One entry per operation, in order; by name should a server ever answer out of order. */
function matchOutcomes(batch: LegacyWrite[], entries: unknown[]): LegacyWriteOutcome[] {
  const inOrder =
    entries.length === batch.length &&
    batch.every((w, i) => (entries[i] as { recordName?: unknown })?.recordName === w.recordName);
  const byName = new Map<unknown, unknown>();
  if (!inOrder) for (const e of entries) byName.set((e as { recordName?: unknown })?.recordName, e);
  return batch.map((w, i) => {
    const entry = inOrder ? entries[i] : byName.get(w.recordName);
    return entry === undefined
      ? { recordName: w.recordName, status: 'retryable', reason: 'no outcome in the response' }
      : toOutcome(w.recordName, entry);
  });
}

function unattempted(writes: LegacyWrite[], error: LegacyStoreError): LegacyWriteOutcome[] {
  const reason = `not attempted: ${error.code}`;
  return writes.map((w) =>
    error.retryable
      ? {
          recordName: w.recordName,
          status: 'retryable',
          reason,
          ...(error.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: error.retryAfterSeconds }),
        }
      : { recordName: w.recordName, status: 'rejected', reason },
  );
}
