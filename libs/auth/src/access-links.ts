import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, written as 43 base64url characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface NewAccessToken {
  /** Goes into the email link only; never stored or logged. */
  token: string;
  /** SHA-256 of the token: what the database keeps and looks up. */
  hash: Buffer;
}

export function newAccessToken(): NewAccessToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashAccessToken(token) };
}

export function hashAccessToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Returns the hash of a well-formed token, or null for anything else, so malformed
 * input never reaches the database and fails the same way as a stale link.
 */
export function accessTokenHash(raw: unknown): Buffer | null {
  return typeof raw === 'string' && TOKEN_PATTERN.test(raw) ? hashAccessToken(raw) : null;
}
