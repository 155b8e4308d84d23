import type { Readable } from 'node:stream';

/** One stored object, opened for reading. */
export interface StoredObject {
  /** The object's bytes. Consume or destroy it, because it keeps a file handle or a socket open. */
  stream: Readable;
  /** Length in bytes. */
  size: number;
  contentType: string;
}

/**
 * Object storage for documents. Every method first checks the key with
 * `assertKeyInTenant(key, tenantId)` and throws InvalidStorageKeyError before
 * any storage access when it does not belong to that tenant.
 */
export interface DocumentStorage {
  /**
   * Stores `body` under `key`, replacing any object already there. Readers
   * see the old object or the new one, never a partial write, so repeating a
   * put with the same bytes is harmless.
   */
  put(tenantId: string, key: string, body: Buffer, contentType: string): Promise<void>;

  /** Opens the object, or returns null when there is none. */
  get(tenantId: string, key: string): Promise<StoredObject | null>;

  exists(tenantId: string, key: string): Promise<boolean>;

  /** Removes the object. Deleting a missing key is not an error. */
  delete(tenantId: string, key: string): Promise<void>;
}

/** A media type such as "application/pdf" with optional unquoted parameters, so no line break can reach a header. */
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(?:\s*;\s*[a-z0-9!#$&^_.+-]+=[a-z0-9!#$&^_.+-]+)*$/i;
const CONTENT_TYPE_MAX_LENGTH = 255;

/** Throws TypeError when the body is not a Buffer or the content type is not a plain media type. */
export function assertPutArguments(body: unknown, contentType: unknown): void {
  if (!Buffer.isBuffer(body)) {
    throw new TypeError('Document body must be a Buffer.');
  }
  if (typeof contentType !== 'string' || contentType.length > CONTENT_TYPE_MAX_LENGTH || !CONTENT_TYPE.test(contentType)) {
    throw new TypeError(`Content type must be a media type such as "application/pdf", got ${JSON.stringify(contentType)}.`);
  }
}
