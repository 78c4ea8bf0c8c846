import { HttpsError } from 'firebase-functions/v2/https';
import { ZodError, type core } from 'zod';
import { DomainError, InvalidInputError, PreconditionError } from '../domain/errors';
import { isLostTransaction } from '../data/firestore/firestoreErrors';
import { logs } from '../logs';

export interface FieldIssue {
  /** Dotted path of the offending field (`schedule.days.1`); empty for the input as a whole. */
  path: string;
  message: string;
}

function dotted(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

export function fieldIssues(issues: ReadonlyArray<core.$ZodIssue>): FieldIssue[] {
  return issues.flatMap((issue) =>
    // An unknown key is reported at the key itself, which is what a client needs to fix.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: dotted([...issue.path, key]), message: 'unknown field' }))
      : [{ path: dotted(issue.path), message: issue.message }],
  );
}

function invalidArgument(issues: FieldIssue[]): HttpsError {
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new HttpsError('invalid-argument', `invalid input: ${summary}`, { issues });
}

/** The one place a failure becomes what the client sees (docs/api.md, "Error codes"). */
export function toHttpsError(callable: string, error: unknown): HttpsError {
  if (error instanceof HttpsError) return error;
  if (error instanceof ZodError) return invalidArgument(fieldIssues(error.issues));
  if (error instanceof InvalidInputError) {
    return invalidArgument([{ path: dotted(error.path), message: error.message }]);
  }
  if (error instanceof PreconditionError) {
    return new HttpsError('failed-precondition', error.message, { reason: error.reason });
  }
  if (error instanceof DomainError) {
    switch (error.kind) {
      case 'not-found':
        return new HttpsError('not-found', error.message);
      case 'version-conflict':
        return new HttpsError('failed-precondition', error.message);
      case 'already-exists':
        return new HttpsError('already-exists', error.message);
      case 'contention':
        return new HttpsError('aborted', error.message);
    }
  }
  // A transaction that lost to concurrent writes on every attempt, or Firestore briefly unable
  // to take the write: the client retries (docs/api.md: aborted and unavailable are retryable).
  const grpcCode = (error as { code?: unknown } | null)?.code;
  if (grpcCode === 10 || isLostTransaction(error)) {
    return new HttpsError('aborted', 'too many concurrent writes; retry');
  }
  // A commit that ran out of time may still have applied: the caller must check, not assume.
  if (grpcCode === 4) {
    return new HttpsError('deadline-exceeded', 'the write may or may not have been saved; reload');
  }
  if (grpcCode === 8 || grpcCode === 14) {
    return new HttpsError('unavailable', 'the database is busy; retry');
  }
  logs.callableFailed(callable, error);
  return new HttpsError('internal', 'internal error; it has been logged');
}
