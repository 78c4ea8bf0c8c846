/** How Firestore and its SDK say why a call failed, read in one place. */

interface GrpcError {
  code?: unknown;
  details?: unknown;
  message?: unknown;
}

/** gRPC's INVALID_ARGUMENT, as the Firestore SDK reports it. */
const INVALID_ARGUMENT = 3;

/**
 * A transaction the database dropped under contention (it expired, or another one won its locks):
 * Firestore answers INVALID_ARGUMENT for it, though nothing was wrong with the request.
 */
export function isLostTransaction(error: unknown): boolean {
  const { code, details } = (error ?? {}) as GrpcError;
  return (
    code === INVALID_ARGUMENT &&
    typeof details === 'string' &&
    /transaction (is invalid or closed|has expired|is no longer valid)/i.test(details)
  );
}

/**
 * Firestore refusing the request itself (a forbidden document id, a field or document too large,
 * too many writes), or the SDK's own argument checks, which throw plain errors before any call:
 * the same writes can never succeed. Contention, timeouts and outages carry other codes.
 */
export function isRefusedRequest(error: unknown): boolean {
  const { code, message } = (error ?? {}) as GrpcError;
  if (code === INVALID_ARGUMENT || code === 'invalid-argument') return !isLostTransaction(error);
  return (
    code === undefined &&
    error instanceof Error &&
    typeof message === 'string' &&
    /argument|document path|resource path|path must|exceeds the maximum|too large/i.test(message)
  );
}
