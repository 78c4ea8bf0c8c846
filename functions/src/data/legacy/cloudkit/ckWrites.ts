import { LEGACY_RECORD_TYPES } from '../legacyRecords';
import type { LegacyWrite, LegacyWriteOutcome } from '../legacyStore';
import { RETRYABLE_CODES, asServerError } from './ckErrors';
import { encodeFields } from './ckRecordCodec';
import { scrubSecrets } from './secretScrub';

export interface CkOperation {
  operationType: 'create' | 'replace' | 'forceReplace' | 'delete' | 'forceDelete';
  record: Record<string, unknown>;
}

/**
 * A known change tag asks CloudKit to check for a conflict (`replace`, `delete`), and `ifAbsent`
 * asks it to refuse a record that exists (`create`); with neither the caller means "make it so"
 * (`forceReplace`, `forceDelete`). Upserts replace rather than update,
 * so a field the write omits (a cleared note) is cleared in CloudKit instead of left stale.
 */
export function toOperation(write: LegacyWrite): CkOperation {
  if (write.op === 'delete') {
    return write.recordChangeTag
      ? {
          operationType: 'delete',
          record: { recordName: write.recordName, recordChangeTag: write.recordChangeTag },
        }
      : { operationType: 'forceDelete', record: { recordName: write.recordName } };
  }
  const record = {
    recordName: write.recordName,
    recordType: LEGACY_RECORD_TYPES[write.kind],
    fields: encodeFields(write.fields),
  };
  if (write.recordChangeTag) {
    return {
      operationType: 'replace',
      record: { ...record, recordChangeTag: write.recordChangeTag },
    };
  }
  return { operationType: write.ifAbsent ? 'create' : 'forceReplace', record };
}

/** One entry of a records/modify response: the saved (or deleted) record, or its error. */
export function toOutcome(recordName: string, entry: unknown): LegacyWriteOutcome {
  const error = asServerError(entry);
  if (!error.serverErrorCode) {
    const tag = (entry as { recordChangeTag?: unknown } | null)?.recordChangeTag;
    return typeof tag === 'string'
      ? { recordName, status: 'ok', recordChangeTag: tag }
      : { recordName, status: 'ok' };
  }
  const code = error.serverErrorCode;
  // Outcomes end up in logs and migration reports: keep any echoed URL token out of them.
  const reason = scrubSecrets(error.reason ? `${code}: ${error.reason}` : code, []);
  switch (code) {
    case 'CONFLICT':
    case 'EXISTS':
      return { recordName, status: 'conflict', reason };
    case 'NOT_FOUND':
      return { recordName, status: 'not_found', reason };
  }
  if (RETRYABLE_CODES.has(code) || error.retryAfter !== undefined) {
    return error.retryAfter === undefined
      ? { recordName, status: 'retryable', reason }
      : { recordName, status: 'retryable', reason, retryAfterSeconds: error.retryAfter };
  }
  return { recordName, status: 'rejected', reason };
}
