import type { NextFunction, Request, Response } from 'express';
import multer, { MulterError } from 'multer';

import { formatLimit, MAX_LOGO_BYTES } from '../../../../libs/branding/src/logo-image';

/** Path of the branding form, which is the only multipart form in the console. */
export const BRANDING_FORM_PATH = '/settings/branding';

/** Result of parsing the multipart form: the logo file, or why the form could not be read. */
export interface LogoUpload {
  file?: Buffer;
  problem?: { field: string; status: 400 | 413; message: string };
}

export type UploadRequest = Request & { logoUpload?: LogoUpload };

// Memory storage is safe because busboy stops storing a file once it
// exceeds fileSize; multer then reads the rest of the request and discards it.
const parseMultipart = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_LOGO_BYTES, files: 1, fields: 30, fieldSize: 16 * 1024, fieldNameSize: 100, parts: 32 },
}).single('logo');

function problemOf(error: unknown): NonNullable<LogoUpload['problem']> {
  if (error instanceof MulterError && error.code === 'LIMIT_FILE_SIZE') {
    return { field: 'logo', status: 413, message: `The logo file is larger than ${formatLimit(MAX_LOGO_BYTES)}. Upload a smaller file.` };
  }
  if (error instanceof MulterError && (error.code === 'LIMIT_UNEXPECTED_FILE' || error.code === 'LIMIT_FILE_COUNT')) {
    return { field: 'logo', status: 400, message: 'Upload one logo file at a time.' };
  }
  return { field: 'form', status: 400, message: 'The form could not be read. Reload the page and try again.' };
}

/**
 * Parses the multipart branding form before the CSRF check, which needs the
 * form's _csrf field. Only a signed-in staff user's request is parsed. Any
 * other falls through without a body and fails the CSRF check. Parser errors
 * are recorded on the request instead of raised, so the page can show the
 * form again with the reason. Fields after the file are lost when the file
 * is too large, so the form puts the file input last.
 */
export function logoUploadParser(req: UploadRequest, res: Response, next: NextFunction): void {
  const path = req.originalUrl.split('?')[0];
  if (req.method !== 'POST' || path !== BRANDING_FORM_PATH || !req.is('multipart/form-data')) return next();
  if ((req.user as { kind?: string } | undefined)?.kind !== 'staff') return next();

  parseMultipart(req, res, (error?: unknown) => {
    req.logoUpload = {};
    if (error) req.logoUpload.problem = problemOf(error);
    else if (req.file) req.logoUpload.file = req.file.buffer;
    next();
  });
}
