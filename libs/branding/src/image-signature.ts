/**
 * Tells image formats apart by their first bytes (magic numbers), never by
 * file name or declared type, which the uploader controls.
 */

export type RasterType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
export type LogoContentType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/svg+xml';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

function startsWith(bytes: Buffer, signature: Buffer | string, offset = 0): boolean {
  const expected = typeof signature === 'string' ? Buffer.from(signature, 'latin1') : signature;
  return bytes.length >= offset + expected.length && bytes.subarray(offset, offset + expected.length).equals(expected);
}

/** Returns the raster format the bytes start with, or null. */
export function detectRasterType(bytes: Buffer): RasterType | null {
  if (startsWith(bytes, PNG)) return 'image/png';
  if (startsWith(bytes, JPEG)) return 'image/jpeg';
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'image/gif';
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'image/webp';
  return null;
}

/**
 * Returns true when the bytes look like an SVG document: text without NUL
 * bytes whose first markup is an XML declaration, comment, DOCTYPE or
 * element, with an <svg element in the first 4 KiB. The sanitizer decides
 * whether it really is one.
 */
export function looksLikeSvg(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096);
  if (head.includes(0)) return false;
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('<') && /<svg[\s>/]/.test(text);
}

/** Returns the logo format of an upload, or null for anything but PNG, JPEG, WebP and SVG. */
export function detectLogoType(bytes: Buffer): LogoContentType | null {
  const raster = detectRasterType(bytes);
  if (raster === 'image/gif') return null;
  if (raster) return raster;
  return looksLikeSvg(bytes) ? 'image/svg+xml' : null;
}
