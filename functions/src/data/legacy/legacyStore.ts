import type {
  InvalidLegacyRecord,
  LegacyDeletion,
  LegacyHabitFields,
  LegacyCompletionFields,
  LegacyRecord,
  LegacyRecordKind,
  LegacyStreakFields,
  LegacyXpEventFields,
} from './legacyRecords';

/**
 * The legacy store as the rest of the backend sees it. CloudKit is behind it (cloudkit/), but no
 * caller knows: they page, stream, look up and write records, and get typed outcomes back.
 */
export interface LegacyStore {
  /** Users known to the legacy store, a page at a time (never the whole list). */
  listUsers(pageToken: string | undefined, limit: number): Promise<LegacyUserPage>;
  /** One page of every record of the user, from an opaque cursor (null: from the beginning). */
  readChanges(
    uid: string,
    cursor: string | null,
    limit: number,
    options?: LegacyCallOptions,
  ): Promise<LegacyChangePage | AwaitingLink>;
  lookup(
    uid: string,
    recordNames: string[],
    options?: LegacyCallOptions,
  ): Promise<LegacyLookup | AwaitingLink>;
  /** Applies writes one by one (never atomically) and reports each one's outcome, in order. */
  write(uid: string, writes: LegacyWrite[]): Promise<LegacyWriteOutcome[] | AwaitingLink>;
}

/** What the request making a read allows it, beyond the store's own retry policy. */
export interface LegacyCallOptions {
  /**
   * Epoch ms by which the read ends, waits and retries included: a callable's, well inside its
   * own timeout. Past it the read fails as unavailable (LegacyUnavailableError).
   */
  deadline?: number;
}

export interface LegacyUser {
  /** The Firebase uid the app registered for this CloudKit user. */
  uid: string;
  /** CloudKit's user record name (`_abc...`). */
  userRecordName: string;
}

export interface LegacyUserPage {
  users: LegacyUser[];
  nextPageToken?: string;
}

export interface LegacyChangePage {
  kind: 'page';
  entries: Array<LegacyRecord | LegacyDeletion | InvalidLegacyRecord>;
  /** Resumes after this page; survives restarts of either side. */
  cursor: string;
  moreComing: boolean;
}

export interface LegacyLookup {
  kind: 'lookup';
  found: Array<LegacyRecord | InvalidLegacyRecord>;
  missing: string[];
}

/** The server holds no valid web auth token for this user: park the work until `legacy-link`. */
export interface AwaitingLink {
  kind: 'awaiting_link';
  uid: string;
}

type FieldsOf<K extends LegacyRecordKind> = {
  habit: LegacyHabitFields;
  completion: LegacyCompletionFields;
  xpEvent: LegacyXpEventFields;
  streak: LegacyStreakFields;
}[K];

export type LegacyWrite =
  | {
      [K in LegacyRecordKind]: {
        op: 'upsert';
        kind: K;
        recordName: string;
        fields: FieldsOf<K>;
        /** Known change tag: the write fails with `conflict` if the record changed since. */
        recordChangeTag?: string;
        /** Create only: the write fails with `conflict` if the record exists (someone wrote it). */
        ifAbsent?: true;
      };
    }[LegacyRecordKind]
  | { op: 'delete'; recordName: string; recordChangeTag?: string };

export type LegacyWriteOutcome =
  | { recordName: string; status: 'ok'; recordChangeTag?: string }
  | { recordName: string; status: 'conflict' | 'not_found' | 'rejected'; reason: string }
  | { recordName: string; status: 'retryable'; reason: string; retryAfterSeconds?: number };

export const isAwaitingLink = (value: unknown): value is AwaitingLink =>
  typeof value === 'object' && value !== null && (value as AwaitingLink).kind === 'awaiting_link';
