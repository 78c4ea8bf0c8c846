/**
 * Errors the core throws. They carry no transport detail: api/errorMapping.ts turns each kind
 * into the HttpsError code docs/api.md promises ("Error codes"), in one place.
 */
export abstract class DomainError extends Error {
  abstract readonly kind:
    | 'not-found'
    | 'version-conflict'
    | 'already-exists'
    | 'invalid-input'
    | 'precondition'
    | 'contention';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(entity: string, id: string) {
    super(`${entity} ${id} not found`);
  }
}

export class VersionConflictError extends DomainError {
  readonly kind = 'version-conflict';
  constructor(
    readonly id: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`${id} is at version ${actualVersion}, not ${expectedVersion}: reload it and retry`);
  }
}

export class AlreadyExistsError extends DomainError {
  readonly kind = 'already-exists';
}

/** Other writes to the same data kept winning: the same request can succeed a moment later. */
export class ContentionError extends DomainError {
  readonly kind = 'contention';
}

/** Input that passed the schema but breaks a rule that needs stored data (for example a future day). */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid-input';
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/** The request is valid but the system is not in a state to do it (a flag off, not in rollout). */
export class PreconditionError extends DomainError {
  readonly kind = 'precondition';
  constructor(
    /** A stable code a client or script can branch on. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
