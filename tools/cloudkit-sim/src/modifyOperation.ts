import { randomBytes, randomUUID } from 'node:crypto';
import type { CkErrorCode } from './ckErrors';
import { isObject } from './httpIo';
import type { CkFieldValue, CkRecord, CkStamp } from './types';

export const OPERATION_TYPES = [
  'create',
  'update',
  'forceUpdate',
  'replace',
  'forceReplace',
  'delete',
  'forceDelete',
] as const;
type OperationType = (typeof OPERATION_TYPES)[number];

/** `next` undefined means the operation deletes the record. */
export type Outcome =
  | { ok: true; recordName: string; next: CkRecord | undefined }
  | { ok: false; recordName: string; code: CkErrorCode; reason: string };

export interface OperationContext {
  userRecordName: string;
  now: number;
}

const fail = (recordName: string, code: CkErrorCode, reason: string): Outcome => ({
  ok: false,
  recordName,
  code,
  reason,
});

/** Shaped like CloudKit's short change tags; random so a stale tag can never match by accident. */
export const newChangeTag = (): string => randomBytes(6).toString('base64url').toLowerCase();

/**
 * What one records/modify operation would do to `current` (the record's state so far in this
 * request). Pure apart from fresh tags: the caller decides whether and when to apply it.
 */
export function planOperation(
  op: unknown,
  current: CkRecord | undefined,
  ctx: OperationContext,
): Outcome {
  const record = isObject(op) && isObject(op.record) ? op.record : undefined;
  const type = isObject(op) ? op.operationType : undefined;
  const givenName = typeof record?.recordName === 'string' ? record.recordName : undefined;
  if (!record || !(OPERATION_TYPES as readonly unknown[]).includes(type)) {
    return fail(
      givenName ?? '',
      'BAD_REQUEST',
      'each operation needs an operationType and a record',
    );
  }
  const opType = type as OperationType;
  if (givenName === undefined && opType !== 'create') {
    return fail('', 'BAD_REQUEST', `${opType} needs record.recordName`);
  }
  const recordName = givenName ?? randomUUID().toUpperCase();
  const fields = readFields(record.fields);
  if (fields === 'invalid') {
    return fail(recordName, 'BAD_REQUEST', 'fields must map names to {value, type}');
  }

  const checksTag = opType === 'update' || opType === 'replace' || opType === 'delete';
  if (opType === 'create' && current) return fail(recordName, 'EXISTS', 'record already exists');
  if (checksTag || opType === 'forceDelete') {
    if (!current) return fail(recordName, 'NOT_FOUND', 'record not found');
  }
  if (checksTag && record.recordChangeTag !== current?.recordChangeTag) {
    return fail(recordName, 'CONFLICT', 'oplock error: recordChangeTag is not the current one');
  }
  if (opType === 'delete' || opType === 'forceDelete')
    return { ok: true, recordName, next: undefined };

  const recordType =
    typeof record.recordType === 'string' ? record.recordType : current?.recordType;
  if (!recordType) return fail(recordName, 'BAD_REQUEST', 'a new record needs a recordType');
  if (current && recordType !== current.recordType) {
    return fail(
      recordName,
      'BAD_REQUEST',
      `record is a ${current.recordType}, not a ${recordType}`,
    );
  }
  const merges = opType === 'update' || opType === 'forceUpdate';
  const stamp: CkStamp = {
    timestamp: ctx.now,
    userRecordName: ctx.userRecordName,
    deviceID: 'cloudkit-sim',
  };
  const next: CkRecord = {
    recordName,
    recordType,
    recordChangeTag: newChangeTag(),
    fields: withoutNulls({ ...(merges && current ? current.fields : {}), ...(fields ?? {}) }),
    created: current?.created ?? stamp,
    modified: stamp,
  };
  return { ok: true, recordName, next };
}

function readFields(value: unknown): Record<string, CkFieldValue> | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (!isObject(value)) return 'invalid';
  for (const field of Object.values(value)) {
    if (!isObject(field) || !('value' in field)) return 'invalid';
  }
  return value as Record<string, CkFieldValue>;
}

// A null value clears the field, as omitted fields do on replace.
function withoutNulls(fields: Record<string, CkFieldValue>): Record<string, CkFieldValue> {
  return Object.fromEntries(Object.entries(fields).filter(([, field]) => field.value !== null));
}
