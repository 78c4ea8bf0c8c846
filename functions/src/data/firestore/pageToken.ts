import { InvalidInputError } from '../../domain/errors';

/** An opaque keyset cursor: the sort key of the last item served, never an offset. */
export interface PagePosition {
  createdAt: string;
  id: string;
}

export function encodePageToken(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodePageToken(token: string): PagePosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      typeof decoded[1] === 'string'
    ) {
      return { createdAt: decoded[0], id: decoded[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidInputError(['pageToken'], 'is not a token returned by habits-list');
}
