import { cleanAttachmentName, formatByteSize } from '../../attachments/src/attachment-file';
import { detectRasterType } from '../../branding/src/image-signature';

/** Files one service request may carry. */
export const MAX_REQUEST_FILES = 5;

/** Largest single file, in bytes (10 MiB). */
export const MAX_REQUEST_FILE_BYTES = 10 * 1024 * 1024;

/** Largest total of all files of one request, in bytes (25 MiB). */
export const MAX_REQUEST_TOTAL_BYTES = 25 * 1024 * 1024;

export type RequestFileType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic' | 'application/pdf';

/** File name extension each accepted type is stored and downloaded with. */
export const EXTENSIONS: Record<RequestFileType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'application/pdf': 'pdf',
};

/** Each accepted type as pages name it. */
export const TYPE_LABELS: Record<RequestFileType, string> = {
  'image/jpeg': 'JPEG photo',
  'image/png': 'PNG image',
  'image/webp': 'WebP image',
  'image/heic': 'HEIC photo',
  'application/pdf': 'PDF',
};

/** A file as the browser sent it: the bytes and the file name it claimed. */
export interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/** A file whose bytes matched an accepted type. */
export interface CheckedRequestFile extends UploadedFile {
  contentType: RequestFileType;
}

// HEIF files are ISO base media files: a box size, "ftyp", then the major
// brand. These brands mark HEVC-coded images, which phones write as .heic.
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
const HEIF_GENERIC_BRANDS = new Set(['mif1', 'msf1']);

function isHeic(bytes: Buffer): boolean {
  if (bytes.length < 16 || bytes.toString('latin1', 4, 8) !== 'ftyp') return false;
  const boxSize = bytes.readUInt32BE(0);
  const major = bytes.toString('latin1', 8, 12);
  if (HEIC_BRANDS.has(major)) return true;
  if (!HEIF_GENERIC_BRANDS.has(major)) return false;

  // A generic HEIF major brand counts when a compatible brand names HEVC, so AVIF files stay out.
  const end = Math.min(boxSize, bytes.length, 256);
  for (let offset = 16; offset + 4 <= end; offset += 4) {
    if (HEIC_BRANDS.has(bytes.toString('latin1', offset, offset + 4))) return true;
  }
  return false;
}

function isPdf(bytes: Buffer): boolean {
  return bytes.subarray(0, 5).toString('latin1') === '%PDF-' && bytes.subarray(-1024).includes('%%EOF');
}

/** Returns the accepted type the bytes are, or null. The file name and declared type play no part. */
export function detectRequestFileType(bytes: Buffer): RequestFileType | null {
  const raster = detectRasterType(bytes);
  if (raster === 'image/jpeg' || raster === 'image/png' || raster === 'image/webp') return raster;
  if (isHeic(bytes)) return 'image/heic';
  if (isPdf(bytes)) return 'application/pdf';
  return null;
}

/** Names what unaccepted bytes look like, for the rejection message. */
function describeContent(bytes: Buffer): string {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'an incomplete PDF without its %%EOF end marker';
  if (detectRasterType(bytes) === 'image/gif') return 'a GIF image';
  if (bytes.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004') return 'a ZIP archive, such as a Word or Excel file';
  const text = bytes.subarray(0, 512).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'an HTML page';
  if (text.startsWith('<?xml') || text.startsWith('<svg')) return 'an XML or SVG document';
  return 'not a JPEG, PNG, WebP or HEIC photo or a PDF';
}

/** Returns the type the file name's extension claims, in words such as "a PDF", or null. */
function claimedType(name: string): string | null {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (extension === 'pdf') return 'a PDF';
  if (extension && ['jpg', 'jpeg', 'png', 'webp', 'heic', 'heif'].includes(extension)) return 'a photo';
  return null;
}

/**
 * Checks each file by its bytes and the size limits. Returns the accepted
 * files, or one message that names every rejected file and why.
 */
export function checkRequestFiles(files: UploadedFile[], locale: string): { files: CheckedRequestFile[] } | { problem: string } {
  if (files.length > MAX_REQUEST_FILES) return { problem: `Attach at most ${MAX_REQUEST_FILES} files.` };

  const problems: string[] = [];
  const checked: CheckedRequestFile[] = [];
  for (const file of files) {
    const name = cleanAttachmentName(file.name);
    if (file.bytes.length === 0) {
      problems.push(`${name} is empty.`);
      continue;
    }
    if (file.bytes.length > MAX_REQUEST_FILE_BYTES) {
      problems.push(`${name} is larger than ${formatByteSize(MAX_REQUEST_FILE_BYTES, locale)}.`);
      continue;
    }
    const contentType = detectRequestFileType(file.bytes);
    if (!contentType) {
      const claimed = claimedType(name);
      const content = describeContent(file.bytes);
      problems.push(claimed ? `${name} is named as ${claimed}, but its content is ${content}.` : `${name}: its content is ${content}.`);
      continue;
    }
    checked.push({ name, bytes: file.bytes, contentType });
  }

  const total = files.reduce((sum, file) => sum + file.bytes.length, 0);
  if (total > MAX_REQUEST_TOTAL_BYTES) {
    problems.push(`The files add up to more than ${formatByteSize(MAX_REQUEST_TOTAL_BYTES, locale)}.`);
  }
  if (problems.length > 0) {
    return { problem: `${problems.join(' ')} Attach JPEG, PNG, WebP or HEIC photos or PDFs of at most ${formatByteSize(MAX_REQUEST_FILE_BYTES, locale)} each.` };
  }
  return { files: checked };
}
