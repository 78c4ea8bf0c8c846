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
  /** Only private-database requests carrying a valid web auth token of this user. */
  uid?: string;
  /** Only requests whose body names this record (lookup entries, modify operations). */
  recordName?: string;
}

/**
 * What a CloudKit request offers for fault matching. The user and the record names are functions
 * so that a request pays for verifying its token and parsing its body only when a queued fault
 * targets one of them.
 */
export interface FaultTarget {
  path: string;
  uid(): string | undefined;
  recordNames(): readonly string[];
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
    const uid = nonEmptyString(body, 'uid');
    const recordName = nonEmptyString(body, 'recordName');
    if (kind === 'corrupt') {
      // A corrupt record is served broken to whoever reads it; accepting a uid would promise a
      // per-user corruption that does not happen.
      if (uid !== undefined) throw badRequest('uid applies to request faults, not to corrupt');
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
      uid,
      recordName,
    });
  }

  take(target: FaultTarget): RequestFault | undefined {
    const fault = this.queue.find((f) => hits(f, target));
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

function hits(fault: RequestFault, target: FaultTarget): boolean {
  return (
    (fault.pathContains === undefined || target.path.includes(fault.pathContains)) &&
    (fault.uid === undefined || target.uid() === fault.uid) &&
    (fault.recordName === undefined || target.recordNames().includes(fault.recordName))
  );
}

// An empty target would never match anything, so it can only be a caller's mistake.
function nonEmptyString(body: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(body, key);
  if (value === '') throw badRequest(`${key} must not be empty`);
  return value;
}
