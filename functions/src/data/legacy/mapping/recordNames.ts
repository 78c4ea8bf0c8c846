import { LEGACY_RECORD_TYPES, type LegacyRecordKind } from '../legacyRecords';
import { documentIdOf } from '../../../domain/documentIds';

/** What a legacy record name points at: the kind of record and the API id inside the name. */
export interface LegacyRecordRef {
  kind: LegacyRecordKind;
  id: string;
}

const KINDS = Object.keys(LEGACY_RECORD_TYPES) as LegacyRecordKind[];

/**
 * The id a record name of `kind` carries, as a Firestore document id (domain/documentIds: the id
 * itself when Firestore takes it, escaped otherwise; legacyRecordName undoes it), or undefined
 * when the name belongs to another type (or has nothing after the prefix). The `_` after the type
 * is part of the prefix, so `CD_HabitX_1` is not a habit.
 */
export function idFromRecordName(kind: LegacyRecordKind, recordName: string): string | undefined {
  const prefix = `${LEGACY_RECORD_TYPES[kind]}_`;
  if (!recordName.startsWith(prefix) || recordName.length === prefix.length) return undefined;
  return documentIdOf(recordName.slice(prefix.length));
}

/**
 * Deletions arrive as a bare record name: the name alone has to say what was deleted. No record
 * type is a prefix of another's `<type>_`, so at most one kind matches.
 */
export function parseLegacyRecordName(recordName: string): LegacyRecordRef | undefined {
  for (const kind of KINDS) {
    const id = idFromRecordName(kind, recordName);
    if (id !== undefined) return { kind, id };
  }
  return undefined;
}
