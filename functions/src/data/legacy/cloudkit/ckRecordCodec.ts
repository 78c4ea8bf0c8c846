import type { z } from 'zod';
import {
  LEGACY_RECORD_TYPES,
  type InvalidLegacyRecord,
  type LegacyDeletion,
  type LegacyRecord,
  type LegacyRecordKind,
  legacyFieldSchemas,
} from '../legacyRecords';

/** A field as CloudKit sends and accepts it. */
export interface CkField {
  value: unknown;
  type: string;
}

const KIND_OF_TYPE = new Map<string, LegacyRecordKind>(
  Object.entries(LEGACY_RECORD_TYPES).map(([kind, type]) => [type, kind as LegacyRecordKind]),
);

/** The JS type a CloudKit field type must carry, for the types the legacy schema uses. */
const VALUE_TYPE_OF: Record<string, 'string' | 'number'> = {
  STRING: 'string',
  INT64: 'number',
  DOUBLE: 'number',
  TIMESTAMP: 'number',
};

/**
 * One record of a CloudKit response as the store hands it out. Never throws: a record that does
 * not match the legacy schema becomes an InvalidLegacyRecord, so one bad record cannot stop a
 * backfill of thousands.
 */
export function decodeRecord(raw: unknown): LegacyRecord | LegacyDeletion | InvalidLegacyRecord {
  if (typeof raw !== 'object' || raw === null) {
    return invalid('(unknown)', '(unknown)', 'record is not an object');
  }
  const r = raw as Record<string, unknown>;
  const recordName = typeof r.recordName === 'string' ? r.recordName : undefined;
  const recordType = typeof r.recordType === 'string' ? r.recordType : '(unknown)';
  if (!recordName) return invalid('(unknown)', recordType, 'record has no recordName');
  // Deleted records come back from records/changes without type or fields.
  if (r.deleted === true) return { kind: 'deleted', recordName };

  const kind = KIND_OF_TYPE.get(recordType);
  if (!kind) return invalid(recordName, recordType, `unknown record type ${recordType}`);
  if (typeof r.recordChangeTag !== 'string' || r.recordChangeTag === '') {
    return invalid(recordName, recordType, 'record has no recordChangeTag');
  }
  if (typeof r.fields !== 'object' || r.fields === null) {
    return invalid(recordName, recordType, 'record has no fields');
  }

  const schema = legacyFieldSchemas[kind];
  const unwrapped = unwrapFields(r.fields as Record<string, unknown>, Object.keys(schema.shape));
  if (typeof unwrapped === 'string') return invalid(recordName, recordType, unwrapped);
  const parsed = schema.safeParse(unwrapped);
  if (!parsed.success) return invalid(recordName, recordType, describeIssues(parsed.error));

  return {
    kind,
    recordName,
    recordChangeTag: r.recordChangeTag,
    fields: parsed.data,
    createdMs: timestampOf(r.created),
    modifiedMs: timestampOf(r.modified),
  } as LegacyRecord;
}

/**
 * Only the fields the schema knows are unwrapped: a newer app version may add attributes (or move
 * a long one to `_ckAsset`), and that must not make the records it wrote unreadable here.
 */
function unwrapFields(
  fields: Record<string, unknown>,
  known: string[],
): Record<string, unknown> | string {
  const values: Record<string, unknown> = {};
  for (const name of known) {
    const field = fields[name];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'object' || !('value' in field)) {
      return `${name}: not a {value, type} field`;
    }
    const { value, type } = field as { value: unknown; type?: unknown };
    if (value === null || value === undefined) continue;
    const expected = typeof type === 'string' ? VALUE_TYPE_OF[type] : undefined;
    if (expected !== undefined && typeof value !== expected) {
      return `${name}: declared ${String(type)} but holds a ${typeof value}`;
    }
    values[name] = value;
  }
  return values;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(fields)'}: ${issue.message}`)
    .join('; ');
}

function timestampOf(stamp: unknown): number | undefined {
  const value = (stamp as { timestamp?: unknown } | null | undefined)?.timestamp;
  return typeof value === 'number' ? value : undefined;
}

function invalid(recordName: string, recordType: string, reason: string): InvalidLegacyRecord {
  return { kind: 'invalid', recordName, recordType, reason };
}

/**
 * Fields of a write as CloudKit wants them. Core Data mirrors dates as TIMESTAMP (ms) and every
 * attribute named `...At` is a date; other integers (Bool included, as 0/1) are INT64.
 */
export function encodeFields(fields: object): Record<string, CkField> {
  const encoded: Record<string, CkField> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') {
      encoded[name] = { value, type: 'STRING' };
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      const type = name.endsWith('At') ? 'TIMESTAMP' : Number.isInteger(value) ? 'INT64' : 'DOUBLE';
      encoded[name] = { value, type };
    } else {
      // The write types allow only strings and numbers: anything else is a bug upstream.
      throw new TypeError(
        `field ${name} has a ${typeof value}, which the legacy schema never holds`,
      );
    }
  }
  return encoded;
}
