import { detectRasterType } from '../../branding/src/image-signature';

/** Largest PDF that staff may attach to a record, in bytes (10 MiB). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** The limit as the console states it. */
export const MAX_ATTACHMENT_SIZE_TEXT = '10 MB';

const PDF_HEADER = Buffer.from('%PDF-', 'latin1');
const PDF_END_MARKER = Buffer.from('%%EOF', 'latin1');

/**
 * Bytes at the end of the file searched for %%EOF. Writers often append a
 * line break or a few padding bytes after the marker, so it need not be the
 * very last thing in the file.
 */
const END_MARKER_WINDOW = 1024;

const RASTER_NAMES: Record<string, string> = {
  'image/png': 'a PNG image',
  'image/jpeg': 'a JPEG image',
  'image/gif': 'a GIF image',
  'image/webp': 'a WebP image',
};

/** An upload that is not an acceptable PDF. The message gives the reason and the next step. */
export class PdfRejectedError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'PdfRejectedError';
  }
}

/** Names what the bytes look like when they are a common format other than PDF, or returns null. */
function describeOtherFormat(bytes: Buffer): string | null {
  const raster = detectRasterType(bytes);
  if (raster) return RASTER_NAMES[raster];
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1'))) {
    return 'a ZIP archive, such as a Word or Excel file';
  }

  const text = bytes.subarray(0, 512).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'an HTML page';
  if (text.startsWith('<?xml') || text.startsWith('<svg')) return 'an XML or SVG document';

  return null;
}

/**
 * Throws PdfRejectedError unless the bytes are a complete PDF file: they
 * must start with the %PDF- header and end with the %%EOF marker. The file
 * name and declared type are ignored, because the uploader controls both.
 */
export function assertPdf(bytes: Buffer): void {
  if (bytes.length === 0) {
    throw new PdfRejectedError(400, 'The file is empty. Choose the PDF again and attach it.');
  }
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new PdfRejectedError(413, `The file is larger than ${MAX_ATTACHMENT_SIZE_TEXT}. Attach a smaller PDF.`);
  }

  if (!bytes.subarray(0, PDF_HEADER.length).equals(PDF_HEADER)) {
    const other = describeOtherFormat(bytes);
    const content = other ? `its content is ${other}` : 'its content does not start with the PDF header %PDF-';
    throw new PdfRejectedError(400, `The file is not a PDF, because ${content}. Attach a PDF file.`);
  }

  if (!bytes.subarray(-END_MARKER_WINDOW).includes(PDF_END_MARKER)) {
    throw new PdfRejectedError(
      400,
      'The PDF is incomplete: its end-of-file marker %%EOF is missing. Save or export the PDF again and attach the new file.',
    );
  }
}
