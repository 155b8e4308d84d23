import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Builds the additional data bound into each ciphertext, so a secret copied
 * to another endpoint or tenant no longer decrypts.
 */
function associatedData(tenantId: string, endpointId: string): Buffer {
  return Buffer.from(`webhook-secret:${tenantId}:${endpointId}`);
}

/** Returns a new signing secret: 32 random bytes, base64url, with a prefix that marks what it is. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** Encrypts a signing secret with AES-256-GCM as version byte, IV, tag and ciphertext. */
export function encryptSecret(key: Buffer, secret: string, tenantId: string, endpointId: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(tenantId, endpointId));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Decrypts what encryptSecret wrote; throws when the key, the endpoint or the bytes differ. */
export function decryptSecret(key: Buffer, stored: Buffer, tenantId: string, endpointId: string): string {
  if (stored.length < 1 + IV_BYTES + TAG_BYTES || stored[0] !== VERSION) {
    throw new Error('stored webhook secret has an unknown format');
  }
  const iv = stored.subarray(1, 1 + IV_BYTES);
  const tag = stored.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(associatedData(tenantId, endpointId));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(stored.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
