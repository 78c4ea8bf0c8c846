import fc from 'fast-check';
import {
  documentIdOf,
  ESCAPED_ID_PREFIX,
  invalidDocumentIdReason,
  invalidUidReason,
  isValidDocumentId,
  nameOfDocumentId,
} from '../../../functions/src/domain/documentIds';

/** Any text a device could send, lone surrogates and Firestore's forbidden names among it. */
const anyName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('/', '.', '_', '%', '~', 'a', '\uD800', '\uDC00'),
    maxLength: 12,
  }),
  fc.constantFrom('', '.', '..', '__x__', '____', '~', '~..', '%2F', 'a/b', '\uD83D\uDE00'),
);

describe('Firestore document ids for names chosen elsewhere', () => {
  it.each([
    ['', 'must not be empty'],
    ['.', 'must not be "."'],
    ['..', 'must not be ".."'],
    ['__x__', 'must not match __.*__ (reserved)'],
    ['____', 'must not match __.*__ (reserved)'],
    ['a/b', 'must not contain "/"'],
    ['x\uD800', 'must be valid Unicode (no lone surrogate)'],
  ])('refuses %j: %s', (id, reason) => {
    expect(invalidDocumentIdReason(id)).toBe(reason);
  });

  it('counts the 1,500-byte limit in bytes of UTF-8, not characters', () => {
    expect(invalidDocumentIdReason('x'.repeat(1_500))).toBeUndefined();
    expect(invalidDocumentIdReason('x'.repeat(1_501))).toBe('must be at most 1500 bytes');
    expect(invalidDocumentIdReason('é'.repeat(750))).toBeUndefined();
    expect(invalidDocumentIdReason('é'.repeat(751))).toBe('must be at most 1500 bytes');
  });

  it.each(['u1', '...', '_x_', '__x', 'x__', 'CD_XPEvent_..', '\uD83D\uDE00'])('takes %j', (id) => {
    expect(invalidDocumentIdReason(id)).toBeUndefined();
  });

  it('keeps every id Firestore takes as it is, unless it starts like an escaped one', () => {
    fc.assert(
      fc.property(anyName, (name) => {
        if (isValidDocumentId(name) && !name.startsWith(ESCAPED_ID_PREFIX)) {
          expect(documentIdOf(name)).toBe(name);
        } else {
          expect(documentIdOf(name).startsWith(ESCAPED_ID_PREFIX)).toBe(true);
        }
      }),
    );
  });

  it('gives back the name it was made from, and a valid id for any name short enough', () => {
    fc.assert(
      fc.property(anyName, (name) => {
        const id = documentIdOf(name);
        expect(nameOfDocumentId(id)).toBe(name);
        expect(invalidDocumentIdReason(id)).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
  });

  it('never gives two names the same id', () => {
    fc.assert(
      fc.property(anyName, anyName, (a, b) => {
        fc.pre(a !== b);
        expect(documentIdOf(a)).not.toBe(documentIdOf(b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('escapes the forbidden names readably', () => {
    expect(documentIdOf('..')).toBe('~..');
    expect(documentIdOf('__x__')).toBe('~__x__');
    expect(documentIdOf('a/b')).toBe('~a%2Fb');
    expect(documentIdOf('~a')).toBe('~~a');
    expect(nameOfDocumentId('~a%252F')).toBe('a%2F');
  });

  it('leaves a name too long to fit even escaped to the caller to refuse', () => {
    const id = documentIdOf('x'.repeat(2_000));
    expect(nameOfDocumentId(id)).toBe('x'.repeat(2_000));
    expect(isValidDocumentId(id)).toBe(false);
  });
});

describe('uids from legacy AppUser records', () => {
  it.each([
    ['a/b', 'must not contain "/"'],
    ['', 'must not be empty'],
    ['..', 'must not be ".."'],
    ['__x__', 'must not match __.*__ (reserved)'],
  ])('refuses %j: %s', (uid, reason) => {
    expect(invalidUidReason(uid)).toBe(reason);
  });

  it('takes the uids Auth issues, up to 128 characters', () => {
    expect(invalidUidReason('u'.repeat(129))).toBe('must be at most 128 characters');
    expect(invalidUidReason('Kq3xY0aBcDeFgHiJkLmNoPqRsTu1')).toBeUndefined();
    expect(invalidUidReason('u'.repeat(128))).toBeUndefined();
  });
});
