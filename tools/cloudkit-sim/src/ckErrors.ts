import { randomUUID } from 'node:crypto';

/** The serverErrorCode values the simulator emits, with the HTTP status CloudKit pairs them with. */
export const CK_ERROR_STATUS = {
  ACCESS_DENIED: 403,
  ATOMIC_ERROR: 400,
  AUTHENTICATION_FAILED: 401,
  AUTHENTICATION_REQUIRED: 421,
  BAD_REQUEST: 400,
  CONFLICT: 409,
  EXISTS: 409,
  INTERNAL_ERROR: 500,
  NOT_FOUND: 404,
  THROTTLED: 429,
  TRY_AGAIN_LATER: 503,
  ZONE_NOT_FOUND: 404,
} as const;
export type CkErrorCode = keyof typeof CK_ERROR_STATUS;

export interface CkErrorBody {
  uuid: string;
  serverErrorCode: CkErrorCode;
  reason: string;
  retryAfter?: number;
}

export function ckErrorBody(code: CkErrorCode, reason: string, retryAfter?: number): CkErrorBody {
  return {
    uuid: randomUUID(),
    serverErrorCode: code,
    reason,
    ...(retryAfter !== undefined && { retryAfter }),
  };
}

/** Thrown by handlers to end the request with a whole-request CloudKit error. */
export class CkError extends Error {
  constructor(
    readonly code: CkErrorCode,
    reason: string,
    readonly retryAfter?: number,
  ) {
    super(reason);
    this.name = 'CkError';
  }

  get status(): number {
    return CK_ERROR_STATUS[this.code];
  }

  body(): CkErrorBody {
    return ckErrorBody(this.code, this.message, this.retryAfter);
  }
}

export const badRequest = (reason: string): CkError => new CkError('BAD_REQUEST', reason);
