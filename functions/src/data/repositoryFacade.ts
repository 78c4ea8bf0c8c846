import type {
  CompletionDeleteInput,
  CompletionListInput,
  CompletionLogInput,
} from '../domain/completion';
import type { HabitCreateInput, HabitListInput, HabitUpdateInput } from '../domain/habit';
import type { MigrationState } from '../domain/migrationState';
import { type MigrationMode, migrationMode, type ModeFlags } from '../domain/migrationMode';
import type { Completion } from '../domain/completion';
import { DomainError, InvalidInputError, NotFoundError } from '../domain/errors';
import type { Habit } from '../domain/habit';
import { progressFromXp } from '../domain/progress';
import { isLegacyPageToken } from './legacyHabitPages';
import type { LegacyRead, LegacyReadFallback, LegacySnapshot } from './legacyReadFallback';
import { logs } from '../logs';
import type { Telemetry } from '../telemetry/telemetryEvents';
import { writeLatency } from '../telemetry/latencyHistogram';
import type { HabitPage, HabitRepository, ProgressAndStreaks } from './habitRepository';

/** docs/api.md "Conventions": a response reading user data says so when not from Firestore. */
interface FromLegacy {
  source: 'legacy';
  /** The read stopped at its bound: the user has data this answer lacks (docs/api.md). */
  partial?: true;
}
const LEGACY: FromLegacy = { source: 'legacy' };
const fromLegacy = (read: LegacyRead<unknown>): FromLegacy =>
  read.partial ? { ...LEGACY, partial: true } : LEGACY;

/**
 * Told what a read answered from Firestore (the ids of the habits or completions in it), after
 * the answer is decided. Must return at once and never throw: the read does not wait for it.
 */
export interface AnsweredReads {
  answered(uid: string, kind: 'habit' | 'completion', ids: readonly string[]): void;
}

export interface ModeSources {
  flags(uid: string): Promise<ModeFlags>;
  migrationState(uid: string): Promise<MigrationState>;
  /** Queues the user's backfill if the flags allow it; a read that needed the legacy store asks. */
  requestBackfill(uid: string): Promise<void>;
}

/**
 * Routes each request by the user's migration mode: writes to the Firestore repository with or
 * without the outbox (dual-write); reads from Firestore. The mode is decided per request, so a
 * flag change reaches every user within the flags' cache period.
 */
export class RepositoryFacade implements HabitRepository {
  constructor(
    private readonly firestoreOnly: HabitRepository,
    private readonly dualWrite: HabitRepository,
    private readonly sources: ModeSources,
    private readonly telemetry: Telemetry,
    private readonly legacyReads: LegacyReadFallback,
    /** The shadow comparison's sampler (migration/consistency), when wired (app.ts). */
    private readonly reads?: AnsweredReads,
  ) {}

  async modeFor(uid: string): Promise<MigrationMode> {
    const [flags, state] = await Promise.all([
      this.sources.flags(uid),
      this.sources.migrationState(uid),
    ]);
    return migrationMode(flags, state.status);
  }

  /**
   * In dual-write mode the Firestore commit is the primary write: its outcome and latency are
   * counted. A refused input (not found, stale version) is the caller's error, not a failure.
   */
  private async write<T>(
    uid: string,
    run: (repository: HabitRepository) => Promise<T>,
  ): Promise<T> {
    const started = Date.now();
    if (!(await this.modeFor(uid)).dualWrite) {
      const result = await run(this.firestoreOnly);
      const latencyMs = Date.now() - started;
      this.telemetry.record('writeLatency', writeLatency.outcome('firestoreOnly', latencyMs), {
        uid,
      });
      return result;
    }
    try {
      const result = await run(this.dualWrite);
      const latencyMs = Date.now() - started;
      this.telemetry.record('dualWritePrimary', 'success', { uid, latencyMs });
      this.telemetry.record('writeLatency', writeLatency.outcome('dualWrite', latencyMs), { uid });
      return result;
    } catch (error) {
      if (!(error instanceof DomainError)) {
        this.telemetry.record('dualWritePrimary', 'failure', {
          uid,
          latencyMs: Date.now() - started,
          errorCode: (error as { code?: unknown }).code?.toString() ?? 'unknown',
        });
      }
      throw error;
    }
  }

  createHabit(uid: string, input: HabitCreateInput) {
    return this.write(uid, (repository) => repository.createHabit(uid, input));
  }
  updateHabit(uid: string, input: HabitUpdateInput) {
    return this.write(uid, (repository) => repository.updateHabit(uid, input));
  }
  deleteHabit(uid: string, id: string) {
    return this.write(uid, (repository) => repository.deleteHabit(uid, id));
  }
  logCompletion(uid: string, input: CompletionLogInput) {
    return this.write(uid, (repository) => repository.logCompletion(uid, input));
  }
  deleteCompletion(uid: string, input: CompletionDeleteInput) {
    return this.write(uid, (repository) => repository.deleteCompletion(uid, input));
  }
  /**
   * Counts a fallback read, asks for the backfill when it found data, says whether it did. A
   * partial read found data, whatever its answer: the user has more than the read could take.
   */
  private async counted<T>(
    uid: string,
    read: LegacyRead<T>,
    nothingFound: boolean,
  ): Promise<T | undefined> {
    const empty = nothingFound && !read.partial;
    this.telemetry.record('fallbackRead', empty ? 'empty' : 'served', { uid });
    const origin = read.cached ? 'cached' : read.partial ? 'truncated' : 'fetched';
    this.telemetry.record('fallbackReadLegacy', origin, { uid });
    if (!empty) {
      // The read is served either way: a backfill that cannot be queued now is asked for again
      // by the next fallback read.
      await this.sources
        .requestBackfill(uid)
        .catch((error) => logs.backfillRequestFailed(uid, error));
    }
    return empty ? undefined : read.value;
  }

  /** The user's legacy data when they are not migrated yet and it has any; counted as a read. */
  async legacySnapshot(uid: string): Promise<LegacySnapshot | undefined> {
    if (!(await this.modeFor(uid)).legacyFallback) return undefined;
    const read = await this.legacyReads.snapshot(uid);
    return this.counted(uid, read, read.value.habits.length === 0 && read.value.xpTotal === 0);
  }

  async getHabit(uid: string, id: string): Promise<Habit & Partial<FromLegacy>> {
    try {
      const habit = await this.firestoreOnly.getHabit(uid, id);
      this.reads?.answered(uid, 'habit', [habit.id]);
      return habit;
    } catch (error) {
      if (!(error instanceof NotFoundError) || !(await this.modeFor(uid)).legacyFallback)
        throw error;
      const read = await this.legacyReads.habit(uid, id);
      const served = await this.counted(uid, read, read.value === undefined);
      if (!served) throw error;
      return { ...served, ...LEGACY };
    }
  }

  /** A listing that began in CloudKit goes on there, a bounded window of the feed per page. */
  async listHabits(uid: string, input: HabitListInput): Promise<HabitPage & Partial<FromLegacy>> {
    if (isLegacyPageToken(input.pageToken)) {
      if (!(await this.modeFor(uid)).legacyFallback) {
        throw new InvalidInputError(
          ['pageToken'],
          'is from a listing of legacy data, which this user no longer reads: list again without it',
        );
      }
      const read = await this.legacyReads.habitPage(uid, input);
      await this.counted(uid, read, read.value.habits.length === 0);
      return { ...read.value, ...LEGACY };
    }
    const page = await this.firestoreOnly.listHabits(uid, input);
    this.reads?.answered(
      uid,
      'habit',
      page.habits.map((habit) => habit.id),
    );
    if (page.habits.length > 0 || input.pageToken || !(await this.modeFor(uid)).legacyFallback) {
      return page;
    }
    const read = await this.legacyReads.habitPage(uid, input);
    const served = await this.counted(uid, read, read.value.habits.length === 0);
    return served ? { ...served, ...LEGACY } : page;
  }

  async listCompletions(
    uid: string,
    input: CompletionListInput,
  ): Promise<Completion[] & Partial<FromLegacy>> {
    const completions = await this.firestoreOnly.listCompletions(uid, input);
    this.reads?.answered(
      uid,
      'completion',
      completions.map((completion) => completion.id),
    );
    if (completions.length > 0 || !(await this.modeFor(uid)).legacyFallback) return completions;
    const read = await this.legacyReads.snapshot(uid);
    const legacy = read.value.completions
      .filter((c) => c.date >= input.from && c.date <= input.to)
      .filter((c) => input.habitId === undefined || c.habitId === input.habitId)
      .sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
    const served = await this.counted(uid, { ...read, value: legacy }, legacy.length === 0);
    return served ? Object.assign(served, fromLegacy(read)) : completions;
  }

  async getProgress(uid: string): Promise<ProgressAndStreaks & Partial<FromLegacy>> {
    const answer = await this.firestoreOnly.getProgress(uid);
    const nothingYet = answer.progress.totalXp === 0 && answer.streaks.length === 0;
    if (!nothingYet || !(await this.modeFor(uid)).legacyFallback) return answer;
    const read = await this.legacyReads.snapshot(uid);
    const empty = read.value.xpTotal === 0 && read.value.streaks.length === 0;
    const served = await this.counted(uid, read, empty);
    return served
      ? {
          progress: progressFromXp(served.xpTotal),
          streaks: served.streaks,
          ...fromLegacy(read),
        }
      : answer;
  }
}
