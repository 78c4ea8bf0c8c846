import type { Random } from './random';

/** A task as Cloud Tasks holds it: a name (its id), its work, and how often it was tried. */
export interface ScheduledTask {
  name: string;
  label: string;
  attempts: number;
  run(execution: { name: string; finalAttempt: boolean }): Promise<unknown>;
}

export interface SchedulerOptions {
  /** A task that ran may be delivered again (at least once). */
  duplicateChance: number;
  /** Up to this many tasks run at once. */
  maxConcurrency: number;
  /** Attempts before a failing task is dropped, as a queue's maxAttempts would. */
  maxAttempts: number;
}

/**
 * Plays Cloud Tasks adversarially, as its documentation allows: tasks run in any order, several
 * at once, some more than once (the duplicate keeps the task's name, as a redelivery does), and
 * a task that throws is retried later, behind others. A second enqueue of a name still queued is
 * refused, as Cloud Tasks refuses an existing id (it also blocks a name for an hour after it
 * ran; here a later enqueue of a finished name runs again, which is the harsher case).
 * Seeded, so a history replays exactly.
 */
export class AdversarialScheduler {
  private readonly queue: ScheduledTask[] = [];
  /** What each run did, in order: printed with a failing history. */
  readonly trace: string[] = [];
  dropped = 0;

  constructor(
    private readonly random: Random,
    private readonly options: SchedulerOptions,
  ) {}

  enqueue(task: Omit<ScheduledTask, 'attempts'>): void {
    if (this.queue.some((queued) => queued.name === task.name)) return;
    this.queue.push({ ...task, attempts: 0 });
  }

  get size(): number {
    return this.queue.length;
  }

  /** Runs one round: a random handful of tasks, concurrently; false when nothing was queued. */
  async step(): Promise<boolean> {
    if (this.queue.length === 0) return false;
    const n = 1 + this.random.below(Math.min(this.options.maxConcurrency, this.queue.length));
    const picked: ScheduledTask[] = [];
    for (let i = 0; i < n; i += 1) {
      picked.push(...this.queue.splice(this.random.below(this.queue.length), 1));
    }
    await Promise.all(picked.map((task) => this.attempt(task)));
    return true;
  }

  /** Steps until the queue stays empty, or `maxSteps` rounds (then it says so). */
  async runToEmpty(maxSteps = 2_000): Promise<void> {
    for (let i = 0; i < maxSteps; i += 1) if (!(await this.step())) return;
    throw new Error(
      `the task queue did not drain in ${maxSteps} rounds: ${this.queue.length} left`,
    );
  }

  private async attempt(task: ScheduledTask): Promise<void> {
    task.attempts += 1;
    const finalAttempt = task.attempts >= this.options.maxAttempts;
    try {
      const result = await task.run({ name: task.name, finalAttempt });
      this.trace.push(`${task.label} #${task.attempts}: ${JSON.stringify(result ?? 'ok')}`);
      if (this.random.chance(this.options.duplicateChance)) {
        this.queue.push({ ...task, label: `${task.label} (again)` });
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code ?? (error as Error).message;
      this.trace.push(`${task.label} #${task.attempts}: threw ${String(code)}`);
      if (finalAttempt) this.dropped += 1;
      else this.queue.push(task);
    }
  }
}
