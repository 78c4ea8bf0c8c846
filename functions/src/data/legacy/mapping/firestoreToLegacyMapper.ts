import {
  type LegacyCompletionFields,
  type LegacyHabitFields,
  type LegacyRecordKind,
  type LegacyStreakFields,
  type LegacyXpEventFields,
  legacyRecordName,
} from '../legacyRecords';
import type { LegacyWrite } from '../legacyStore';
import type { Completion } from '../../../domain/completion';
import { nameOfDocumentId } from '../../../domain/documentIds';
import type { Habit, Schedule } from '../../../domain/habit';
import type { Streak } from '../../../domain/streak';
import { formatWeekdays, isoToMs, presentText, withoutUndefined } from './legacyValues';

/**
 * The reverse of legacyToFirestoreMapper, for dual-writes: mapLegacyRecord of what these produce
 * gives the entity back. Entities are trusted to have passed their schema; an unparsable
 * timestamp throws a RangeError rather than reach the legacy store as NaN.
 */

/** One entry of the XP ledger as the old app records it (`CD_XPEvent`). */
export interface XpLedgerEvent {
  id: string;
  delta: number;
  reason: string;
  completionId?: string;
  occurredAt: string;
}

/** The entities the API writes through to the legacy store. */
export interface DualWrittenEntities {
  habit: Habit;
  completion: Completion;
  streak: Streak;
  xpEvent: XpLedgerEvent;
}
export type DualWrittenKind = keyof DualWrittenEntities;

interface LegacyFieldsByKind {
  habit: LegacyHabitFields;
  completion: LegacyCompletionFields;
  xpEvent: LegacyXpEventFields;
  streak: LegacyStreakFields;
}

/**
 * The upsert member of LegacyWrite for one kind. Spelled as a mapped type rather than an
 * Extract so that `fields` stays reachable when K is generic.
 */
export type LegacyUpsert<K extends LegacyRecordKind = LegacyRecordKind> = {
  [P in K]: {
    op: 'upsert';
    kind: P;
    recordName: string;
    fields: LegacyFieldsByKind[P];
    recordChangeTag?: string;
    ifAbsent?: true;
  };
}[K];
export type LegacyDeleteWrite = Extract<LegacyWrite, { op: 'delete' }>;

export function habitToLegacyFields(habit: Habit): LegacyHabitFields {
  return withoutUndefined<LegacyHabitFields>({
    CD_entityName: 'Habit',
    CD_id: habit.id,
    CD_name: habit.name,
    CD_emoji: presentText(habit.emoji),
    CD_colorHex: presentText(habit.color),
    ...scheduleFields(habit.schedule),
    CD_targetPerDay: habit.targetPerDay,
    CD_reminderTime: presentText(habit.reminderTime),
    CD_archived: habit.archived ? 1 : 0,
    CD_createdAt: isoToMs(habit.createdAt),
    CD_updatedAt: isoToMs(habit.updatedAt),
    CD_version: habit.version,
  });
}

export function completionToLegacyFields(completion: Completion): LegacyCompletionFields {
  return withoutUndefined<LegacyCompletionFields>({
    CD_entityName: 'Completion',
    CD_id: completion.id,
    CD_habit: legacyRecordName('habit', completion.habitId),
    CD_date: completion.date,
    CD_count: completion.count,
    CD_note: presentText(completion.note),
    CD_completedAt: isoToMs(completion.completedAt),
    CD_createdAt: isoToMs(completion.createdAt),
    CD_updatedAt: isoToMs(completion.updatedAt),
    CD_version: completion.version,
  });
}

export function streakToLegacyFields(streak: Streak): LegacyStreakFields {
  return withoutUndefined<LegacyStreakFields>({
    CD_entityName: 'Streak',
    CD_habit: legacyRecordName('habit', streak.habitId),
    CD_current: streak.current,
    CD_longest: streak.longest,
    CD_lastCompletedDate: streak.lastCompletedDate ?? undefined,
  });
}

export function xpEventToLegacyFields(event: XpLedgerEvent): LegacyXpEventFields {
  return withoutUndefined<LegacyXpEventFields>({
    CD_entityName: 'XPEvent',
    // The old app's own id, as its record name carries it (an escaped one is unescaped).
    CD_id: nameOfDocumentId(event.id),
    CD_amount: event.delta,
    CD_reason: event.reason,
    CD_completion:
      event.completionId === undefined
        ? undefined
        : legacyRecordName('completion', event.completionId),
    CD_occurredAt: isoToMs(event.occurredAt),
  });
}

/** Only the current type's attribute is written, so the app never sees a stale one as current. */
function scheduleFields(
  schedule: Schedule,
): Pick<LegacyHabitFields, 'CD_scheduleType' | 'CD_scheduleDays' | 'CD_timesPerWeek'> {
  switch (schedule.type) {
    case 'daily':
      return { CD_scheduleType: 'daily' };
    case 'weekly':
      return { CD_scheduleType: 'weekly', CD_scheduleDays: formatWeekdays(schedule.days) };
    case 'timesPerWeek':
      return { CD_scheduleType: 'timesPerWeek', CD_timesPerWeek: schedule.count };
  }
}

interface DualWriteMapping<K extends DualWrittenKind> {
  /** The id inside the record name. */
  id(entity: DualWrittenEntities[K]): string;
  fields(entity: DualWrittenEntities[K]): LegacyFieldsByKind[K];
}

const DUAL_WRITES: { [K in DualWrittenKind]: DualWriteMapping<K> } = {
  habit: { id: (habit) => habit.id, fields: habitToLegacyFields },
  completion: { id: (completion) => completion.id, fields: completionToLegacyFields },
  // A streak has no id of its own; there is one per habit, so the habit's id names it.
  streak: { id: (streak) => streak.habitId, fields: streakToLegacyFields },
  xpEvent: { id: (event) => event.id, fields: xpEventToLegacyFields },
};

/**
 * With `recordChangeTag` the store checks for a conflicting change; without it the write replaces
 * whatever the record holds.
 */
export function legacyUpsert<K extends DualWrittenKind>(
  kind: K,
  entity: DualWrittenEntities[K],
  recordChangeTag?: string,
): LegacyUpsert<K> {
  const mapping: DualWriteMapping<K> = DUAL_WRITES[kind];
  const write = {
    op: 'upsert' as const,
    kind,
    recordName: legacyRecordName(kind, mapping.id(entity)),
    fields: mapping.fields(entity),
    ...(recordChangeTag === undefined ? {} : { recordChangeTag }),
  };
  // TypeScript cannot tie `kind` to `fields` across a generic K; DUAL_WRITES is what ties them.
  return write as LegacyUpsert<K>;
}

/** For a streak, `id` is its habit's id (see DUAL_WRITES). */
export function legacyDelete(
  kind: LegacyRecordKind,
  id: string,
  recordChangeTag?: string,
): LegacyDeleteWrite {
  return {
    op: 'delete',
    recordName: legacyRecordName(kind, id),
    ...(recordChangeTag === undefined ? {} : { recordChangeTag }),
  };
}
