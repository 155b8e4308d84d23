import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A newly generated key: the full text shown once, and what the database keeps. */
export interface GeneratedApiKey {
  /** `cpk_<public id>_<secret>`, shown to the staff user once and never stored. */
  fullKey: string;
  publicId: string;
  /** SHA-256 of the 32-byte secret. */
  secretHash: Buffer;
}

export interface ParsedApiKey {
  publicId: string;
  secret: Buffer;
}

const KEY_PATTERN = /^cpk_([0-9a-f]{24})_([0-9a-f]{64})$/;

/** Returns the part of a key that names it in lists and logs, such as cpk_0123abcd…. */
export function keyPrefix(publicId: string): string {
  return `cpk_${publicId}`;
}

/** Generates a key from 12 random bytes of public id and 32 random bytes of secret. */
export function generateApiKey(): GeneratedApiKey {
  const publicId = randomBytes(12).toString('hex');
  const secret = randomBytes(32);
  return {
    fullKey: `${keyPrefix(publicId)}_${secret.toString('hex')}`,
    publicId,
    secretHash: hashSecret(secret),
  };
}

/** Splits a presented key into its public id and secret, or returns null when it is not in the key format. */
export function parseApiKey(text: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(text);
  if (!match) return null;
  return { publicId: match[1], secret: Buffer.from(match[2], 'hex') };
}

export function hashSecret(secret: Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Compares the secret's hash with the stored one in constant time. */
export function secretMatches(secret: Buffer, storedHash: Buffer): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}
