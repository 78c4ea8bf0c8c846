import { logs } from '../logs';
import { type HeldCounts, TelemetryBuffer } from './telemetryBuffer';
import type {
  BufferedCounts,
  TelemetryEvent,
  TelemetryFields,
  TelemetryOutcome,
} from './telemetryEvents';

/** Writes one flush: every hour held, as increments, to the given shard of each hour. */
export type CounterWriter = (counts: HeldCounts, shard: number, at: Date) => Promise<void>;

export interface TelemetryFlushSettings {
  /** Shards per hour; each flush picks one at random. */
  shards: number;
  /** How old the oldest unwritten count may get before a flush is due. */
  flushIntervalMs: number;
  /** Hours of counts kept across failed flushes before the oldest are dropped. */
  maxHoursHeld: number;
}

/** `YYYY-MM-DDTHH` (UTC): the hour a count belongs to, and the name of its shards' parent. */
export function hourKey(at: Date): string {
  return at.toISOString().slice(0, 13);
}

/**
 * Telemetry off the request path, as LaunchDarkly's event processor and the OpenTelemetry batch
 * processors do it: `record` logs the structured line and adds to in-memory counters, nothing
 * more, so it can neither fail nor slow the operation it describes. A flush writes everything
 * held in one commit to a random shard, so an instance costs one write per flush whatever its
 * event rate, and many instances spread over the shards.
 *
 * A flush is due once the oldest held count is `flushIntervalMs` old: an unref'd timer fires
 * then, and the next `record` after that moment starts one too, because Cloud Functions throttle
 * an instance's CPU between requests and a timer may not run until the next request arrives.
 * Counts of an instance shut down before it flushed are lost: the structured log line of each
 * event (`logs.telemetry`) is the exact record, the counters are the cheap running view of it.
 * Task handlers and triggers await `flush()` when they end; callables do not (docs/operations.md).
 */
export class BufferedTelemetry implements BufferedCounts {
  private readonly buffer: TelemetryBuffer;
  private pendingSince: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: CounterWriter,
    private readonly settings: TelemetryFlushSettings,
    private readonly clock: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
  ) {
    this.buffer = new TelemetryBuffer(settings.maxHoursHeld);
  }

  record<E extends TelemetryEvent>(
    event: E,
    outcome: TelemetryOutcome<E>,
    fields: TelemetryFields,
  ): void {
    try {
      logs.telemetry(event, outcome, fields);
      const now = this.clock();
      const dropped = this.buffer.add(
        hourKey(now),
        event,
        outcome,
        fields.count ?? 1,
        fields.latencyMs,
      );
      for (const hour of dropped) logs.telemetryDropped(hour.hour, hour.events);
      this.due(now.getTime());
    } catch (error) {
      // Counting is never worth failing the operation it counts.
      logs.telemetryFailed(event, error);
    }
  }

  /**
   * Writes what is held (after any flush already under way: one write in flight per instance).
   * Never rejects: a failed write is logged and its counts are kept for the next flush.
   */
  flush(): Promise<void> {
    // Whatever went wrong with one flush (even in its logging) must not stop the ones after it.
    this.flushing = this.flushing
      .then(() => this.writeHeld())
      .catch((error: unknown) => logs.telemetryFlushFailed([], -1, error));
    return this.flushing;
  }

  /** Notes when counts started waiting, and starts a flush once they have waited long enough. */
  private due(now: number): void {
    if (this.pendingSince === undefined) {
      this.pendingSince = now;
      this.arm(this.settings.flushIntervalMs);
    } else if (now - this.pendingSince >= this.settings.flushIntervalMs) {
      this.pendingSince = now; // one flush per interval, not one per record while it runs
      void this.flush();
    }
  }

  private arm(delayMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    // An instance (or a test) with nothing else to do must be free to exit.
    this.timer.unref?.();
  }

  private async writeHeld(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.isEmpty) {
      this.pendingSince = undefined;
      return;
    }
    const taken = this.buffer.take();
    this.pendingSince = undefined;
    const shard = Math.floor(this.random() * this.settings.shards);
    try {
      await this.write(taken, shard, this.clock());
    } catch (error) {
      // A commit whose answer was lost may have applied: kept counts can then count twice,
      // which a running view tolerates better than losing them on every blip.
      logs.telemetryFlushFailed([...taken.keys()], shard, error);
      for (const hour of this.buffer.restore(taken)) logs.telemetryDropped(hour.hour, hour.events);
      this.pendingSince ??= this.clock().getTime();
      this.arm(this.settings.flushIntervalMs);
    }
  }
}
