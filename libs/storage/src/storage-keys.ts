/**
 * Object keys for stored documents. Every key lives under
 * `tenants/<tenantId>/`, and each part is checked against a strict pattern,
 * so a key never carries `..`, a `/` inside a part, a backslash, a
 * percent-encoded character or a control character.
 */

/** A storage key, or a part used to build one, failed validation. */
export class InvalidStorageKeyError extends Error {
  constructor(
    /** The rejected part, such as "tenantId", or "key" for a whole key. */
    readonly part: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidStorageKeyError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KIND = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const KIND_MAX_LENGTH = 63;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;
const EXTENSION = /^[a-z0-9]{1,8}$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const ENCODED_SEPARATOR = /%(?:2f|2e|5c)/i;

/** S3 limits keys to 1,024 bytes of UTF-8 (AWS, "Naming Amazon S3 objects"). Valid keys are ASCII, so bytes equal characters. */
const KEY_MAX_LENGTH = 1024;

/** Identifies a rendered document: the record it shows and the inputs it was rendered from. */
export interface DocumentKeyParts {
  tenantId: string;
  /** Lowercase slug of the record kind, such as "inspection-reports". */
  kind: string;
  recordId: string;
  /** SHA-256 of the render input, 64 lowercase hex digits. */
  contentHash: string;
  templateVersion: number;
  brandingVersion: number;
}

/** Identifies a file uploaded for a record. */
export interface UploadKeyParts {
  tenantId: string;
  kind: string;
  recordId: string;
  /** SHA-256 of the uploaded bytes, 64 lowercase hex digits. */
  sha256: string;
  /** File name extension without the dot, such as "jpg"; "pdf" when left out. */
  extension?: string;
}

/** Returns the prefix that every key of the tenant starts with, ending in "/". */
export function tenantPrefix(tenantId: string): string {
  checkUuid('tenantId', tenantId);

  return `tenants/${tenantId}/`;
}

/** Builds the key of a rendered PDF, such as `tenants/<id>/documents/invoices/<id>/<hash>-t3-b7.pdf`. */
export function documentKey(parts: DocumentKeyParts): string {
  const prefix = tenantPrefix(parts.tenantId);
  checkKind(parts.kind);
  checkUuid('recordId', parts.recordId);
  checkSha256('contentHash', parts.contentHash);
  checkPositiveInteger('templateVersion', parts.templateVersion);
  checkPositiveInteger('brandingVersion', parts.brandingVersion);

  const fileName = `${parts.contentHash}-t${parts.templateVersion}-b${parts.brandingVersion}.pdf`;

  return `${prefix}documents/${parts.kind}/${parts.recordId}/${fileName}`;
}

/** Builds the key of an uploaded file, such as `tenants/<id>/uploads/contracts/<id>/<sha256>.pdf`. */
export function uploadKey(parts: UploadKeyParts): string {
  const prefix = tenantPrefix(parts.tenantId);
  checkKind(parts.kind);
  checkUuid('recordId', parts.recordId);
  checkSha256('sha256', parts.sha256);
  const extension = parts.extension ?? 'pdf';
  if (!EXTENSION.test(extension)) {
    throw new InvalidStorageKeyError('extension', `extension must be 1 to 8 lowercase letters or digits, got ${describe(extension)}.`);
  }

  return `${prefix}uploads/${parts.kind}/${parts.recordId}/${parts.sha256}.${extension}`;
}

/**
 * Throws InvalidStorageKeyError unless `key` is a normalised key under the
 * tenant's prefix. Every driver call runs it before it touches storage.
 * Segments must start with a letter or digit, which rules out `.`, `..` and
 * hidden names, and contain only letters, digits, `.`, `_` and `-`.
 */
export function assertKeyInTenant(key: string, tenantId: string): void {
  const prefix = tenantPrefix(tenantId);

  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidStorageKeyError('key', 'Storage key is missing; pass a key built by documentKey or uploadKey.');
  }
  if (key.length > KEY_MAX_LENGTH) {
    throw new InvalidStorageKeyError('key', `Storage key is ${key.length} characters long; the maximum is ${KEY_MAX_LENGTH}.`);
  }

  const quotedKey = JSON.stringify(key);
  const reject = (reason: string): never => {
    throw new InvalidStorageKeyError('key', `Storage key ${quotedKey} is invalid: ${reason}.`);
  };

  if (CONTROL_CHARACTER.test(key)) reject('it contains a control character');
  if (key.includes('\\')) reject('it contains a backslash');
  if (ENCODED_SEPARATOR.test(key)) reject('it contains a percent-encoded "/", "." or "\\"');
  if (key.startsWith('/')) reject('it is an absolute path');

  for (const segment of key.split('/')) {
    if (segment === '') reject('it has an empty segment');
    if (segment === '.' || segment === '..') reject(`it has a "${segment}" segment`);
    if (!SEGMENT.test(segment)) reject(`segment "${segment}" may contain only letters, digits, ".", "_" and "-"`);
    if (segment.startsWith('.')) reject(`segment "${segment}" starts with "."`);
  }

  if (!key.startsWith(prefix) || key.length === prefix.length) {
    reject(`it is not under the prefix ${prefix} of tenant ${tenantId}`);
  }
}

function checkUuid(part: string, value: unknown): void {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new InvalidStorageKeyError(part, `${part} must be a lowercase UUID, got ${describe(value)}.`);
  }
}

function checkKind(value: unknown): void {
  if (typeof value !== 'string' || value.length > KIND_MAX_LENGTH || !KIND.test(value)) {
    throw new InvalidStorageKeyError(
      'kind',
      `kind must be a lowercase slug such as "inspection-reports" of at most ${KIND_MAX_LENGTH} characters, got ${describe(value)}.`,
    );
  }
}

function checkSha256(part: string, value: unknown): void {
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    throw new InvalidStorageKeyError(part, `${part} must be a SHA-256 digest in 64 lowercase hex digits, got ${describe(value)}.`);
  }
}

function checkPositiveInteger(part: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidStorageKeyError(part, `${part} must be a positive integer, got ${describe(value)}.`);
  }
}

/** Quotes strings so that control characters and empty values show in the message. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value);

  return String(value);
}
