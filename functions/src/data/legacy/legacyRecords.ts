import { z } from 'zod';
import { nameOfDocumentId } from '../../domain/documentIds';

/**
 * The legacy records as Core Data mirroring writes them to CloudKit (docs/legacy-schema.md):
 * zone `com.apple.coredata.cloudkit.zone`, record types and fields prefixed `CD_`, relationships
 * as record-name strings, timestamps in milliseconds, Bool as 0/1. Nothing here knows Firestore:
 * mapping into the API entities belongs to the backfill.
 */
export const COREDATA_ZONE = 'com.apple.coredata.cloudkit.zone';

export const LEGACY_RECORD_TYPES = {
  habit: 'CD_Habit',
  completion: 'CD_Completion',
  xpEvent: 'CD_XPEvent',
  streak: 'CD_Streak',
} as const;
export type LegacyRecordKind = keyof typeof LEGACY_RECORD_TYPES;

/**
 * Record names are `<recordType>_<id>`, so an API id and its legacy record name convert both ways.
 * An id the backfill had to escape to store it (domain/documentIds) is the name's own text again.
 */
export function legacyRecordName(kind: LegacyRecordKind, id: string): string {
  return `${LEGACY_RECORD_TYPES[kind]}_${nameOfDocumentId(id)}`;
}

const int = z.number().int();
const timestampMs = z.number().int().nonnegative();
const bool01 = z.union([z.literal(0), z.literal(1)]);

export const legacyHabitFields = z.object({
  CD_entityName: z.literal('Habit'),
  CD_id: z.string().min(1),
  CD_name: z.string(),
  CD_emoji: z.string().optional(),
  CD_colorHex: z.string().optional(),
  /** `daily`, `weekly` (with CD_scheduleDays "1,3,5") or `timesPerWeek` (with CD_timesPerWeek). */
  CD_scheduleType: z.string(),
  CD_scheduleDays: z.string().optional(),
  CD_timesPerWeek: int.optional(),
  CD_targetPerDay: int,
  CD_reminderTime: z.string().optional(),
  CD_archived: bool01,
  CD_createdAt: timestampMs,
  CD_updatedAt: timestampMs,
  CD_version: int.min(1),
});

export const legacyCompletionFields = z.object({
  CD_entityName: z.literal('Completion'),
  CD_id: z.string().min(1),
  /** Record name of the habit (`CD_Habit_<id>`): the to-one side of Core Data's relationship. */
  CD_habit: z.string().min(1),
  CD_date: z.string(),
  CD_count: int,
  CD_note: z.string().optional(),
  CD_completedAt: timestampMs,
  CD_createdAt: timestampMs,
  CD_updatedAt: timestampMs,
  CD_version: int.min(1),
});

export const legacyXpEventFields = z.object({
  CD_entityName: z.literal('XPEvent'),
  CD_id: z.string().min(1),
  CD_amount: int,
  CD_reason: z.string(),
  CD_completion: z.string().optional(),
  CD_occurredAt: timestampMs,
});

export const legacyStreakFields = z.object({
  CD_entityName: z.literal('Streak'),
  CD_habit: z.string().min(1),
  CD_current: int.nonnegative(),
  CD_longest: int.nonnegative(),
  CD_lastCompletedDate: z.string().optional(),
});

export type LegacyHabitFields = z.infer<typeof legacyHabitFields>;
export type LegacyCompletionFields = z.infer<typeof legacyCompletionFields>;
export type LegacyXpEventFields = z.infer<typeof legacyXpEventFields>;
export type LegacyStreakFields = z.infer<typeof legacyStreakFields>;

interface SystemFields {
  recordName: string;
  recordChangeTag: string;
  createdMs?: number;
  modifiedMs?: number;
}

/** A record handed back by the store: typed and validated, its `CD_` values unwrapped. */
export type LegacyRecord =
  | (SystemFields & { kind: 'habit'; fields: LegacyHabitFields })
  | (SystemFields & { kind: 'completion'; fields: LegacyCompletionFields })
  | (SystemFields & { kind: 'xpEvent'; fields: LegacyXpEventFields })
  | (SystemFields & { kind: 'streak'; fields: LegacyStreakFields });

/** A record that was deleted in the legacy store since the cursor (`deleted: true` in CloudKit). */
export interface LegacyDeletion {
  kind: 'deleted';
  recordName: string;
}

/** A record the store could not read as its type: reported, never thrown, so the rest goes on. */
export interface InvalidLegacyRecord {
  kind: 'invalid';
  recordName: string;
  recordType: string;
  reason: string;
}

export const legacyFieldSchemas = {
  habit: legacyHabitFields,
  completion: legacyCompletionFields,
  xpEvent: legacyXpEventFields,
  streak: legacyStreakFields,
} as const;
