import { badRequest } from './ckErrors';
import { optionalInt, optionalString, requiredString } from './requestFields';

export const FAULT_KINDS = [
  'throttle',
  'unavailable',
  'http500',
  'delay',
  'reset',
  'corrupt',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type RequestFaultKind = Exclude<FaultKind, 'corrupt'>;

export interface RequestFault {
  kind: RequestFaultKind;
  remaining: number;
  retryAfter: number;
  delayMs: number;
  pathContains?: string;
}

/**
 * Injected failures. Request faults are consumed by the next matching CloudKit requests (never by
 * /__sim/ calls), at most one per request, oldest first. Corrupt records stay broken until cleared.
 */
export class Faults {
  private queue: RequestFault[] = [];
  readonly corrupted = new Set<string>();

  add(body: Record<string, unknown>): void {
    const kind = body.kind;
    if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw badRequest(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    if (kind === 'corrupt') {
      this.corrupted.add(requiredString(body, 'recordName'));
      return;
    }
    this.queue.push({
      kind: kind as RequestFaultKind,
      remaining: optionalInt(body, 'count', 1) ?? 1,
      // Present on every retryable error: CloudKit clients treat an absent retryAfter as "do not retry".
      retryAfter: optionalInt(body, 'retryAfter', 0) ?? 1,
      delayMs: optionalInt(body, 'delayMs', 0) ?? 0,
      pathContains: optionalString(body, 'pathContains'),
    });
  }

  take(path: string): RequestFault | undefined {
    const fault = this.queue.find(
      (f) => f.pathContains === undefined || path.includes(f.pathContains),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.queue = this.queue.filter((f) => f !== fault);
    return fault;
  }

  clear(): void {
    this.queue = [];
    this.corrupted.clear();
  }
}
