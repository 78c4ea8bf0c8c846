import type {
  CompletionDeleteInput,
  CompletionListInput,
  CompletionLogInput,
} from '../domain/completion';
import type { HabitCreateInput, HabitListInput, HabitUpdateInput } from '../domain/habit';
import type { MigrationState } from '../domain/migrationState';
import { type MigrationMode, migrationMode, type ModeFlags } from '../domain/migrationMode';
import type { HabitRepository } from './habitRepository';

export interface ModeSources {
  flags(uid: string): Promise<ModeFlags>;
  migrationState(uid: string): Promise<MigrationState>;
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
  ) {}

  async modeFor(uid: string): Promise<MigrationMode> {
    const [flags, state] = await Promise.all([
      this.sources.flags(uid),
      this.sources.migrationState(uid),
    ]);
    return migrationMode(flags, state.status);
  }

  private async writer(uid: string): Promise<HabitRepository> {
    return (await this.modeFor(uid)).dualWrite ? this.dualWrite : this.firestoreOnly;
  }

  async createHabit(uid: string, input: HabitCreateInput) {
    return (await this.writer(uid)).createHabit(uid, input);
  }
  async updateHabit(uid: string, input: HabitUpdateInput) {
    return (await this.writer(uid)).updateHabit(uid, input);
  }
  async deleteHabit(uid: string, id: string) {
    return (await this.writer(uid)).deleteHabit(uid, id);
  }
  async logCompletion(uid: string, input: CompletionLogInput) {
    return (await this.writer(uid)).logCompletion(uid, input);
  }
  async deleteCompletion(uid: string, input: CompletionDeleteInput) {
    return (await this.writer(uid)).deleteCompletion(uid, input);
  }
  getHabit(uid: string, id: string) {
    return this.firestoreOnly.getHabit(uid, id);
  }
  listHabits(uid: string, input: HabitListInput) {
    return this.firestoreOnly.listHabits(uid, input);
  }
  listCompletions(uid: string, input: CompletionListInput) {
    return this.firestoreOnly.listCompletions(uid, input);
  }
  getProgress(uid: string) {
    return this.firestoreOnly.getProgress(uid);
  }
}
