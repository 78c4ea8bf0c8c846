import { randomUUID } from 'node:crypto';
import { FirestoreWebAuthTokenStore } from '../../../functions/src/data/legacy/firestoreWebAuthTokenStore';
import { adminDb } from './admin';
import { testTokenCipher } from './backfill';
import { sim } from './simulator';

/** CloudKit records as the iOS app's Core Data mirroring writes them (docs/legacy-schema.md). */
export interface RawRecord {
  recordName: string;
  recordType?: string;
  fields?: Record<string, { value: unknown; type: string }>;
  deleted?: boolean;
}

const str = (value: string) => ({ value, type: 'STRING' });
const int = (value: number) => ({ value, type: 'INT64' });
const time = (iso: string) => ({ value: Date.parse(iso), type: 'TIMESTAMP' });

export const habitName = (id: string) => `CD_Habit_${id}`;

export function habitRecord(
  id: string,
  { name = 'Read', version = 1, createdAt = '2025-01-01T08:00:00.000Z', archived = 0 } = {},
): RawRecord {
  return {
    recordName: habitName(id),
    recordType: 'CD_Habit',
    fields: {
      CD_entityName: str('Habit'),
      CD_id: str(id),
      CD_name: str(name),
      CD_scheduleType: str('daily'),
      CD_targetPerDay: int(1),
      CD_archived: int(archived),
      CD_createdAt: time(createdAt),
      CD_updatedAt: time(createdAt),
      CD_version: int(version),
    },
  };
}

export function completionRecord(
  habitId: string,
  date: string,
  { count = 1, version = 1 } = {},
): RawRecord {
  const at = `${date}T20:00:00.000Z`;
  return {
    recordName: `CD_Completion_${habitId}_${date}`,
    recordType: 'CD_Completion',
    fields: {
      CD_entityName: str('Completion'),
      CD_id: str(`${habitId}_${date}`),
      CD_habit: str(habitName(habitId)),
      CD_date: str(date),
      CD_count: int(count),
      CD_completedAt: time(at),
      CD_createdAt: time(at),
      CD_updatedAt: time(at),
      CD_version: int(version),
    },
  };
}

/** `completion`: the record name of the completion the XP was earned for, as the app names it. */
export function xpRecord(
  id: string,
  amount: number,
  { completion, at = '2025-01-05T20:00:00.000Z' }: { completion?: string; at?: string } = {},
): RawRecord {
  return {
    recordName: `CD_XPEvent_${id}`,
    recordType: 'CD_XPEvent',
    fields: {
      CD_entityName: str('XPEvent'),
      CD_id: str(id),
      CD_amount: int(amount),
      CD_reason: str('completion'),
      ...(completion && { CD_completion: str(completion) }),
      CD_occurredAt: time(at),
    },
  };
}

export function streakRecord(habitId: string, longest: number, current = 0): RawRecord {
  return {
    recordName: `CD_Streak_${habitId}`,
    recordType: 'CD_Streak',
    fields: {
      CD_entityName: str('Streak'),
      CD_habit: str(habitName(habitId)),
      CD_current: int(current),
      CD_longest: int(longest),
      CD_lastCompletedDate: str('2025-01-05'),
    },
  };
}

/** A day `n` days after 2024-01-01, as a local day. */
export function dayAfterStart(n: number): string {
  return new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10);
}

/** Writes records into the user's CloudKit zone as the app would, in request-sized chunks. */
export async function putLegacyRecords(uid: string, records: RawRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 2_000) {
    await sim('PUT', `/__sim/users/${encodeURIComponent(uid)}/records`, {
      records: records.slice(i, i + 2_000),
    });
  }
}

/**
 * A CloudKit user whose app has handed the server a web auth token: what `legacy-link` stores,
 * stored directly, so that tests of hundreds of users need no client sign-in each.
 */
export async function linkedLegacyUser(uid = `backfill-${randomUUID()}`): Promise<string> {
  await sim('POST', '/__sim/users', { uid });
  await linkExisting(uid);
  return uid;
}

export async function linkExisting(uid: string): Promise<void> {
  const { webAuthToken } = await sim<{ webAuthToken: string }>('POST', '/__sim/tokens', { uid });
  await new FirestoreWebAuthTokenStore(adminDb(), testTokenCipher()).link(uid, webAuthToken);
}

/** A user with one of every record type, some of them referring to records listed after them. */
export function everyRecordType(habitId: string): RawRecord[] {
  return [
    completionRecord(habitId, '2025-01-04', { count: 2 }),
    streakRecord(habitId, 12, 0),
    xpRecord(`${habitId}-x1`, 120),
    habitRecord(habitId, { name: 'Journal', version: 3 }),
    completionRecord(habitId, '2025-01-05'),
    xpRecord(`${habitId}-x2`, 30),
  ];
}
