import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

import { safeFileName } from '../../documents/src/file-name';

const FILE_NAME_MAX_CHARACTERS = 255;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
// Format characters (Unicode category Cf) draw nothing themselves but can
// reorder or hide what follows: U+202E shows "evil\u202egnp.exe" as "evilexe.png".
const FORMAT_CHARACTERS = /\p{Cf}/gu;

/**
 * Cleans the file name a browser sent: keeps the last path segment, drops
 * control and format characters (bidirectional overrides, zero-width
 * characters) and keeps at most 255 characters, so the name fits
 * record_attachments.file_name and reads as stored. An empty result becomes
 * "attachment.pdf".
 */
export function cleanAttachmentName(original: string): string {
  const base = original.split(/[/\\]/).pop() ?? '';
  const printable = base.replace(CONTROL_CHARACTERS, '').replace(FORMAT_CHARACTERS, '').trim();
  if (printable === '') return 'attachment.pdf';

  // Array.from splits by code point, so the cut never leaves half a surrogate pair.
  return Array.from(printable).slice(0, FILE_NAME_MAX_CHARACTERS).join('');
}

/** Returns the ASCII name a download gets, such as "Signed contract.pdf". */
export function attachmentDownloadName(fileName: string): string {
  return safeFileName(fileName.replace(/\.pdf$/i, ''));
}

/** Returns the SHA-256 of the bytes in lowercase hex, as storage keys and record_attachments.sha256 hold it. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Returns the ETag of an attachment. Its bytes never change, so their hash is a strong validator. */
export function attachmentEtag(sha256: string): string {
  return `"${sha256}"`;
}

/**
 * Sets the caching headers of an attachment download and returns true when
 * the client's copy is current, in which case the caller sends 304 Not Modified.
 */
export function isClientCopyCurrent(req: Request, res: Response, etag: string): boolean {
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('ETag', etag);

  return req.headers['if-none-match'] === etag;
}

/** Formats a size in bytes for people, such as "245 kB" or "1.2 MB" in en-US, counting 1,024 bytes to the kilobyte. */
export function formatByteSize(bytes: number, locale: string): string {
  if (bytes < 1024) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(bytes);

  const megabytes = bytes >= 1024 * 1024;
  const value = megabytes ? bytes / (1024 * 1024) : bytes / 1024;
  const format = new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: megabytes ? 'megabyte' : 'kilobyte',
    maximumFractionDigits: megabytes ? 1 : 0,
  });

  return format.format(value);
}
