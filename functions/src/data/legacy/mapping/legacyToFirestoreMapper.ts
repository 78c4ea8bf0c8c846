import type { z } from 'zod';
import {
  type InvalidLegacyRecord,
  LEGACY_RECORD_TYPES,
  type LegacyCompletionFields,
  type LegacyDeletion,
  type LegacyHabitFields,
  type LegacyRecord,
  type LegacyRecordKind,
  type LegacyStreakFields,
  type LegacyXpEventFields,
} from '../legacyRecords';
import { type Completion, completionId, completionSchema } from '../../../domain/completion';
import { deletedHabitXpEventId } from '../../firestore/xpLedger';
import {
  documentIdOf,
  invalidDocumentIdReason,
  nameOfDocumentId,
} from '../../../domain/documentIds';
import { entityIdSchema, type Habit, habitSchema, type Schedule } from '../../../domain/habit';
import { type Streak, streakSchema } from '../../../domain/streak';
import {
  describeIssues,
  msToIso,
  parseWeekdays,
  presentText,
  withoutUndefined,
} from './legacyValues';
import { idFromRecordName, type LegacyRecordRef, parseLegacyRecordName } from './recordNames';

export { type LegacyRecordRef, parseLegacyRecordName } from './recordNames';

/** Which CloudKit record, at which change, an entry was read from. */
export interface LegacySource {
  recordName: string;
  recordChangeTag: string;
  /** CloudKit's modification time, when the record carried one. */
  modifiedMs?: number;
}

/** A legacy record as the API entity it becomes (XP events only feed the opening balance). */
export type MappedRecord = (
  | { kind: 'habit'; id: string; habit: Habit }
  | { kind: 'completion'; id: string; habitId: string; completion: Completion }
  | {
      kind: 'xpEvent';
      id: string;
      amount: number;
      occurredAt: string;
      /** The completion (and so the habit) the XP was earned for, when the event names one. */
      completionId?: string;
      habitId?: string;
    }
  | { kind: 'streak'; habitId: string; streak: Streak }
) & { source?: LegacySource };

export interface MappingFailure {
  kind: 'failure';
  recordName: string;
  reason: string;
}

/** `target` is undefined when the name is of no known record type. */
export interface MappedDeletion {
  kind: 'deleted';
  recordName: string;
  target: LegacyRecordRef | undefined;
}

export type MappedEntry = MappedRecord | MappingFailure | MappedDeletion;

/** Raised inside this module only, so each check can stop the mapping where it fails. */
class Rejected extends Error {}

function reject(reason: string): never {
  throw new Rejected(reason);
}

function failure(recordName: string, reason: string): MappingFailure {
  return { kind: 'failure', recordName, reason };
}

/**
 * One legacy record as an API entity, or the reason it cannot be one. Never throws: one bad
 * record must not stop the migration of the rest of a user's data (docs/legacy-schema.md).
 */
export function mapLegacyRecord(record: LegacyRecord): MappedRecord | MappingFailure {
  try {
    switch (record.kind) {
      case 'habit':
        return mapHabit(record.recordName, record.fields);
      case 'completion':
        return mapCompletion(record.recordName, record.fields);
      case 'xpEvent':
        return mapXpEvent(record.recordName, record.fields);
      case 'streak':
        return mapStreak(record.fields);
      default:
        return reject(`unknown record kind '${String((record as { kind: unknown }).kind)}'`);
    }
  } catch (error) {
    const name = (record as { recordName?: unknown } | null)?.recordName;
    const recordName = typeof name === 'string' ? name : '(no record name)';
    if (error instanceof Rejected) return failure(recordName, error.message);
    // Records are typed, but they come from a device: a shape the types rule out must still end
    // as this record's failure, not as the batch's exception.
    const message = error instanceof Error ? error.message : String(error);
    return failure(recordName, `unexpected error while mapping: ${message}`);
  }
}

/**
 * Why a record name cannot key the documents that follow the record (its outbox entry, its last
 * copy), even escaped: such a record can never be written, only quarantined.
 */
export function unstorableRecordName(recordName: string): string | undefined {
  const reason = invalidDocumentIdReason(documentIdOf(recordName));
  return reason && `record name cannot be a Firestore document id, even escaped: it ${reason}`;
}

/** A page entry from the legacy store: records mapped, deletions passed on, invalid ones failed. */
export function mapLegacyEntry(
  entry: LegacyRecord | LegacyDeletion | InvalidLegacyRecord,
): MappedEntry {
  const unstorable =
    typeof entry.recordName === 'string' ? unstorableRecordName(entry.recordName) : undefined;
  if (unstorable) return failure(entry.recordName, unstorable);
  switch (entry.kind) {
    case 'deleted':
      return {
        kind: 'deleted',
        recordName: entry.recordName,
        target: parseLegacyRecordName(entry.recordName),
      };
    case 'invalid':
      return failure(entry.recordName, `unreadable ${entry.recordType} record: ${entry.reason}`);
    default: {
      const mapped = mapLegacyRecord(entry);
      if (mapped.kind === 'failure') return mapped;
      const { recordName, recordChangeTag, modifiedMs } = entry;
      return { ...mapped, source: { recordName, recordChangeTag, modifiedMs } };
    }
  }
}

function mapHabit(recordName: string, fields: LegacyHabitFields): MappedRecord {
  const id = ownId('habit', recordName, fields.CD_id);
  const habit = validated(
    habitSchema,
    withoutUndefined({
      id,
      name: fields.CD_name,
      emoji: presentText(fields.CD_emoji),
      color: presentText(fields.CD_colorHex),
      schedule: scheduleOf(fields),
      targetPerDay: fields.CD_targetPerDay,
      reminderTime: presentText(fields.CD_reminderTime),
      archived: archivedOf(fields.CD_archived),
      createdAt: timestamp('CD_createdAt', fields.CD_createdAt),
      updatedAt: timestamp('CD_updatedAt', fields.CD_updatedAt),
      version: fields.CD_version,
    }),
    'habit',
  );
  return { kind: 'habit', id: habit.id, habit };
}

function mapCompletion(recordName: string, fields: LegacyCompletionFields): MappedRecord {
  const id = ownId('completion', recordName, fields.CD_id);
  const habitId = habitIdOf('CD_habit', fields.CD_habit);
  const expected = completionId(habitId, fields.CD_date);
  if (id !== expected) {
    // The API finds a habit's completion of a day by this id: any other id would be a second
    // completion of the same day that logging could never reach.
    reject(`CD_id: '${id}' is not '${expected}' (<habitId>_<date>)`);
  }
  const completion = validated(
    completionSchema,
    withoutUndefined({
      id,
      habitId,
      date: fields.CD_date,
      count: fields.CD_count,
      note: presentText(fields.CD_note),
      completedAt: timestamp('CD_completedAt', fields.CD_completedAt),
      createdAt: timestamp('CD_createdAt', fields.CD_createdAt),
      updatedAt: timestamp('CD_updatedAt', fields.CD_updatedAt),
      version: fields.CD_version,
    }),
    'completion',
  );
  return { kind: 'completion', id, habitId, completion };
}

function mapXpEvent(recordName: string, fields: LegacyXpEventFields): MappedRecord {
  const id = ownId('xpEvent', recordName, fields.CD_id);
  // The longest id the event can give a document (its take-back, should its habit be deleted).
  const longest = invalidDocumentIdReason(deletedHabitXpEventId(id));
  if (longest) reject(`CD_id: too long for the XP ledger's document ids (${longest})`);
  if (!Number.isSafeInteger(fields.CD_amount)) {
    reject(`CD_amount: ${fields.CD_amount} is not a whole number of XP`);
  }
  // Attribution only: an event naming no completion (or an unreadable name) is plain opening
  // balance, never a reason to quarantine XP the user earned.
  const completionId =
    fields.CD_completion === undefined
      ? undefined
      : idFromRecordName('completion', fields.CD_completion);
  const underscore = completionId?.lastIndexOf('_') ?? -1;
  return withoutUndefined({
    kind: 'xpEvent' as const,
    id,
    amount: fields.CD_amount,
    occurredAt: timestamp('CD_occurredAt', fields.CD_occurredAt),
    completionId: underscore > 0 ? completionId : undefined,
    habitId: underscore > 0 ? completionId?.slice(0, underscore) : undefined,
  });
}

/**
 * The record name is not checked: a streak has no id attribute of its own, and the API keys
 * streaks by their habit, so only CD_habit says which streak this is.
 */
function mapStreak(fields: LegacyStreakFields): MappedRecord {
  const habitId = habitIdOf('CD_habit', fields.CD_habit);
  const streak = validated(
    streakSchema,
    {
      habitId,
      current: fields.CD_current,
      longest: fields.CD_longest,
      lastCompletedDate: presentText(fields.CD_lastCompletedDate) ?? null,
    },
    'streak',
  );
  return { kind: 'streak', habitId, streak };
}

/** Ids convert both ways through the record name, so the name and CD_id must agree. */
function ownId(kind: LegacyRecordKind, recordName: string, cdId: string): string {
  const id = idFromRecordName(kind, recordName);
  if (id === undefined) {
    reject(`record name '${recordName}' is not of the form ${LEGACY_RECORD_TYPES[kind]}_<id>`);
  }
  if (id !== documentIdOf(cdId)) {
    reject(`CD_id '${cdId}' differs from the id '${nameOfDocumentId(id)}' in the record name`);
  }
  return id;
}

function habitIdOf(field: string, recordName: string): string {
  const id = idFromRecordName('habit', recordName);
  if (id === undefined) {
    reject(`${field}: '${recordName}' is not a habit record name (CD_Habit_<id>)`);
  }
  const parsed = entityIdSchema.safeParse(id);
  if (!parsed.success) reject(`${field}: habit id '${id}' ${parsed.error.issues[0]?.message}`);
  return id;
}

function scheduleOf(fields: LegacyHabitFields): Schedule {
  switch (fields.CD_scheduleType) {
    // Only the current type's attributes count: Core Data may keep those of an earlier type.
    case 'daily':
      return { type: 'daily' };
    case 'weekly': {
      const text = presentText(fields.CD_scheduleDays);
      if (text === undefined) return reject('CD_scheduleDays: missing for a weekly schedule');
      const days = parseWeekdays(text);
      if (days === undefined) {
        reject(`CD_scheduleDays: '${text}' is not a comma-separated list of weekdays (0 = Sunday)`);
      }
      return { type: 'weekly', days };
    }
    case 'timesPerWeek':
      if (fields.CD_timesPerWeek === undefined) {
        reject('CD_timesPerWeek: missing for a timesPerWeek schedule');
      }
      return { type: 'timesPerWeek', count: fields.CD_timesPerWeek };
    default:
      return reject(
        `CD_scheduleType: '${fields.CD_scheduleType}' is none of daily, weekly, timesPerWeek`,
      );
  }
}

function archivedOf(value: number): boolean {
  if (value !== 0 && value !== 1) reject(`CD_archived: ${value} is neither 0 nor 1`);
  return value === 1;
}

function timestamp(field: string, ms: number): string {
  const iso = msToIso(ms);
  if (iso === undefined) reject(`${field}: ${ms} is not a timestamp in milliseconds`);
  return iso;
}

/** The schema's output, not the input: it is what the API would have stored (names trimmed). */
function validated<S extends z.ZodType>(schema: S, value: unknown, entity: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) reject(`not a valid ${entity}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
