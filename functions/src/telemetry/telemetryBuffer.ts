/** One hour's counters as a shard stores them: event -> outcome -> count, plus `latencyMsTotal`. */
export type HourCounts = Record<string, Record<string, number>>;

/** Counts held for each hour (`YYYY-MM-DDTHH`), oldest first. */
export type HeldCounts = Map<string, HourCounts>;

/** What had to be let go to stay bounded: an hour and how many events it held. */
export interface DroppedHour {
  hour: string;
  events: number;
}

function events(counts: HourCounts): number {
  let n = 0;
  for (const outcomes of Object.values(counts)) {
    for (const [outcome, count] of Object.entries(outcomes)) {
      if (outcome !== 'latencyMsTotal') n += count;
    }
  }
  return n;
}

/**
 * The counters an instance has seen and not yet written. Its size is bounded by construction:
 * per hour there is one number per event and outcome (a fixed set) and one latency total per
 * event, and at most `maxHours` hours are held, so counts kept across failed flushes cannot grow
 * without limit; the oldest hours go first (the structured log lines still hold them).
 */
export class TelemetryBuffer {
  private held: HeldCounts = new Map();

  constructor(private readonly maxHours: number) {}

  get isEmpty(): boolean {
    return this.held.size === 0;
  }

  /** Adds `count` events (and their latency, when measured); returns hours dropped to stay bounded. */
  add(hour: string, event: string, outcome: string, count: number, latencyMs?: number) {
    const counts = this.hourOf(hour);
    const outcomes = (counts[event] ??= {});
    outcomes[outcome] = (outcomes[outcome] ?? 0) + count;
    if (latencyMs !== undefined) {
      outcomes.latencyMsTotal = (outcomes.latencyMsTotal ?? 0) + Math.round(latencyMs);
    }
    return this.trim();
  }

  /** Everything held, leaving the buffer empty: what one flush writes. */
  take(): HeldCounts {
    const taken = this.held;
    this.held = new Map();
    return taken;
  }

  /** Puts back what a failed flush took, merged with what arrived meanwhile. */
  restore(taken: HeldCounts): DroppedHour[] {
    for (const [hour, counts] of taken) {
      const into = this.hourOf(hour);
      for (const [event, outcomes] of Object.entries(counts)) {
        const target = (into[event] ??= {});
        for (const [outcome, n] of Object.entries(outcomes)) {
          target[outcome] = (target[outcome] ?? 0) + n;
        }
      }
    }
    return this.trim();
  }

  private hourOf(hour: string): HourCounts {
    let counts = this.held.get(hour);
    if (!counts) {
      counts = {};
      this.held.set(hour, counts);
      // Hours are held in order, so the first key is always the oldest one.
      this.held = new Map([...this.held].sort(([a], [b]) => a.localeCompare(b)));
    }
    return counts;
  }

  private trim(): DroppedHour[] {
    const dropped: DroppedHour[] = [];
    for (const [hour, counts] of this.held) {
      if (this.held.size <= this.maxHours) break;
      this.held.delete(hour);
      dropped.push({ hour, events: events(counts) });
    }
    return dropped;
  }
}
