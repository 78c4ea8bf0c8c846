import {
  AUTHENTICATION_REQUIRED,
  errorFromFetchFailure,
  errorFromResponse,
} from '../../../functions/src/data/legacy/cloudkit/ckErrors';
import {
  LegacyRejectedError,
  LegacyUnavailableError,
} from '../../../functions/src/data/legacy/legacyErrors';

const failed = (
  status: number,
  serverErrorCode?: string,
  extra: {
    retryAfter?: number;
    headers?: Record<string, string>;
    database?: 'public' | 'private';
  } = {},
) =>
  errorFromResponse({
    status,
    body: serverErrorCode
      ? {
          serverErrorCode,
          reason: 'why',
          ...(extra.retryAfter === undefined ? {} : { retryAfter: extra.retryAfter }),
        }
      : undefined,
    headers: new Headers(extra.headers ?? {}),
    database: extra.database ?? 'private',
    op: 'records/changes',
    reason: 'why',
  });

describe('errorFromResponse', () => {
  it.each([
    [429, 'THROTTLED'],
    [503, 'TRY_AGAIN_LATER'],
    [500, 'INTERNAL_ERROR'],
    [502, undefined],
  ])('makes HTTP %i (%s) retryable', (status, code) => {
    const error = failed(status, code);
    expect(error).toBeInstanceOf(LegacyUnavailableError);
    expect(error).toMatchObject({ retryable: true, code: code ?? `HTTP_${status}` });
  });

  it('carries retryAfter from the body, or else from the Retry-After header', () => {
    expect(failed(429, 'THROTTLED', { retryAfter: 12 })).toMatchObject({ retryAfterSeconds: 12 });
    expect(failed(503, 'TRY_AGAIN_LATER', { headers: { 'retry-after': '4' } })).toMatchObject({
      retryAfterSeconds: 4,
    });
  });

  it.each([
    [401, 'AUTHENTICATION_FAILED'],
    [403, 'ACCESS_DENIED'],
    [400, 'BAD_REQUEST'],
    [404, 'ZONE_NOT_FOUND'],
    [413, 'QUOTA_EXCEEDED'],
    [412, 'VALIDATING_REFERENCE_ERROR'],
  ])('makes HTTP %i (%s) a permanent rejection', (status, code) => {
    const error = failed(status, code);
    expect(error).toBeInstanceOf(LegacyRejectedError);
    expect(error).toMatchObject({ retryable: false, code });
    expect((error as Error).message).toContain(code);
  });

  it('reads AUTHENTICATION_REQUIRED on the private database as awaiting a link', () => {
    expect(failed(421, 'AUTHENTICATION_REQUIRED')).toBe(AUTHENTICATION_REQUIRED);
  });

  it('rejects AUTHENTICATION_REQUIRED on the public database: a configuration fault', () => {
    expect(failed(421, 'AUTHENTICATION_REQUIRED', { database: 'public' })).toBeInstanceOf(
      LegacyRejectedError,
    );
  });
});

describe('errorFromFetchFailure', () => {
  const fetchFailed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });

  it.each([
    ['AbortSignal.timeout', new DOMException('timed out', 'TimeoutError'), 'TIMEOUT'],
    ['an abort', new DOMException('aborted', 'AbortError'), 'TIMEOUT'],
    ['ECONNRESET', fetchFailed({ code: 'ECONNRESET' }), 'CONNECTION_RESET'],
    ['ECONNREFUSED', fetchFailed({ code: 'ECONNREFUSED' }), 'CONNECTION_RESET'],
    [
      'a socket closed',
      fetchFailed({ code: 'UND_ERR_SOCKET', message: 'other side closed' }),
      'CONNECTION_RESET',
    ],
    ['socket hang up', fetchFailed({ message: 'socket hang up' }), 'CONNECTION_RESET'],
    ['a body cut short', new TypeError('terminated'), 'CONNECTION_RESET'],
  ])('makes %s retryable', (_label, error, code) => {
    const typed = errorFromFetchFailure(error, 'private', 'records/changes');
    expect(typed).toBeInstanceOf(LegacyUnavailableError);
    expect(typed).toMatchObject({ code });
  });

  it('rejects a failure no retry cures, naming only its code', () => {
    const typed = errorFromFetchFailure(
      fetchFailed({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND host?ckAPIToken=s3cret' }),
      'public',
      'records/query',
    );
    expect(typed).toBeInstanceOf(LegacyRejectedError);
    expect(typed?.message).toContain('ENOTFOUND');
    expect(typed?.message).not.toContain('s3cret');
  });

  it('leaves anything that is not a network failure alone', () => {
    expect(errorFromFetchFailure(new RangeError('bug'), 'private', 'x')).toBeUndefined();
    expect(
      errorFromFetchFailure(new TypeError('x is not a function'), 'private', 'x'),
    ).toBeUndefined();
  });
});
