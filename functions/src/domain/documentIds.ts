/**
 * Firestore document ids for names chosen elsewhere (CloudKit record names, the ids inside them,
 * Firebase uids). Firestore refuses `.`, `..`, `__…__`, `/`, ids over 1,500 bytes and text that
 * is not UTF-8; CloudKit and the old app refuse none of them, so one such name must not stop a
 * page, a run or a fan-out on every retry.
 */

/** Firestore's limit on a document id, in bytes of UTF-8. */
export const DOCUMENT_ID_MAX_BYTES = 1_500;

/** Firebase Auth's limit on a uid: a longer one could never sign in. */
export const UID_MAX_CHARS = 128;

/**
 * Marks an escaped id. Valid names starting with it are escaped too, so an id that starts with it
 * is always an escaped one and the mapping stays reversible; API ids never contain it.
 */
export const ESCAPED_ID_PREFIX = '~';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const RESERVED = /^__.*__$/s;

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/** What Firestore requires of `id` and it lacks, or undefined when it takes it as a document id. */
export function invalidDocumentIdReason(id: string): string | undefined {
  if (id === '') return 'must not be empty';
  if (id.includes('/')) return 'must not contain "/"';
  if (id === '.' || id === '..') return `must not be "${id}"`;
  if (RESERVED.test(id)) return 'must not match __.*__ (reserved)';
  // Stored as UTF-8, a lone surrogate becomes U+FFFD: another id than the one asked for.
  if (LONE_SURROGATE.test(id)) return 'must be valid Unicode (no lone surrogate)';
  if (utf8Bytes(id) > DOCUMENT_ID_MAX_BYTES) {
    return `must be at most ${DOCUMENT_ID_MAX_BYTES} bytes`;
  }
  return undefined;
}

export function isValidDocumentId(id: string): boolean {
  return invalidDocumentIdReason(id) === undefined;
}

/**
 * What a uid (an AppUser's firebaseUid, a message's) lacks to name a user here, or undefined
 * when it can: it must be an Auth uid and the id of users/{uid}.
 */
export function invalidUidReason(uid: string): string | undefined {
  if (uid.length > UID_MAX_CHARS) return `must be at most ${UID_MAX_CHARS} characters`;
  return invalidDocumentIdReason(uid);
}

/** `%` first, so that every `%` of an escaped body starts one of these escapes. */
function escapeBody(name: string): string {
  return name
    .replace(/%/g, '%25')
    .replace(/\//g, '%2F')
    .replace(
      new RegExp(LONE_SURROGATE.source, 'g'),
      (unit) => `%u${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
    );
}

function unescapeBody(body: string): string {
  return body.replace(/%(25|2F|u[0-9A-F]{4})/g, (_, code: string) => {
    if (code === '25') return '%';
    if (code === '2F') return '/';
    return String.fromCharCode(parseInt(code.slice(1), 16));
  });
}

/**
 * The document id for a name: the name itself when Firestore takes it (so existing documents keep
 * their ids), else `~` and the name with `%`, `/` and lone surrogates escaped. `~` in front also
 * breaks `.`, `..` and `__…__`. An escaped id can still be too long: check the result with
 * isValidDocumentId before using it.
 */
export function documentIdOf(name: string): string {
  if (isValidDocumentId(name) && !name.startsWith(ESCAPED_ID_PREFIX)) return name;
  return ESCAPED_ID_PREFIX + escapeBody(name);
}

/** The inverse of documentIdOf: the name a document id was made from. */
export function nameOfDocumentId(id: string): string {
  return id.startsWith(ESCAPED_ID_PREFIX) ? unescapeBody(id.slice(ESCAPED_ID_PREFIX.length)) : id;
}
