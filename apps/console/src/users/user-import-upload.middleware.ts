import type { NextFunction, Request, Response } from 'express';
import multer, { MulterError } from 'multer';

import { MAX_IMPORT_BYTES } from './import-file';

/** Path of the user import form, whose file input is named `file`. */
export const USER_IMPORT_FORM_PATH = '/settings/users/import';

/** Result of parsing the import form: the CSV file, or the reason the form could not be read. */
export interface ImportUpload {
  file?: { bytes: Buffer; name: string };
  problem?: { status: 400 | 413; message: string };
}

export type ImportUploadRequest = Request & { importUpload?: ImportUpload };

// busboy stops buffering a file at fileSize, so memory storage keeps at most
// MAX_IMPORT_BYTES per request, and multer reads and discards the rest.
const parseMultipart = multer({
  storage: multer.memoryStorage(),
  defParamCharset: 'utf8',
  limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5, fieldSize: 1024, fieldNameSize: 100, parts: 8 },
}).single('file');

function problemOf(error: unknown): NonNullable<ImportUpload['problem']> {
  if (error instanceof MulterError && error.code === 'LIMIT_FILE_SIZE') {
    const limit = `${MAX_IMPORT_BYTES / (1024 * 1024)} MB`;
    return { status: 413, message: `The file is larger than ${limit}. Split it into smaller files.` };
  }
  if (error instanceof MulterError && (error.code === 'LIMIT_UNEXPECTED_FILE' || error.code === 'LIMIT_FILE_COUNT')) {
    return { status: 400, message: 'Upload one CSV file at a time.' };
  }
  return { status: 400, message: 'The form could not be read. Reload the page and try again.' };
}

/** Keeps the last path segment of a client's file name, without control characters, at most 255 characters. */
function cleanFileName(original: string): string {
  const base = original.split(/[/\\]/).pop() ?? '';
  const printable = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (printable || 'upload.csv').slice(0, 255);
}

/**
 * Parses the multipart import form before the CSRF check, which needs the
 * form's _csrf field, so the form puts that field before the file. Only a
 * signed-in staff user's request is parsed. Any other gets no body and fails
 * the CSRF check. Parser errors are stored on the request rather than raised,
 * so the page can show the form again with the reason.
 */
export function userImportUploadParser(req: ImportUploadRequest, res: Response, next: NextFunction): void {
  const path = req.originalUrl.split('?')[0];
  if (req.method !== 'POST' || path !== USER_IMPORT_FORM_PATH || !req.is('multipart/form-data')) return next();
  if ((req.user as { kind?: string } | undefined)?.kind !== 'staff') return next();

  parseMultipart(req, res, (error?: unknown) => {
    req.importUpload = {};
    if (error) req.importUpload.problem = problemOf(error);
    else if (req.file) req.importUpload.file = { bytes: req.file.buffer, name: cleanFileName(req.file.originalname) };
    next();
  });
}
