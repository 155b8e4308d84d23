import type { NextFunction, Request, Response } from 'express';
import multer, { MulterError } from 'multer';

import { ATTACHMENT_PARENT_SLUGS } from '../../../../libs/attachments/src/attachment-parents';
import { cleanAttachmentName } from '../../../../libs/attachments/src/attachment-file';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_SIZE_TEXT } from '../../../../libs/attachments/src/pdf-file';

/** Path of an attachment upload: POST /records/<kind>/<id>/attachments, whose file input is named `file`. */
const UPLOAD_PATH = new RegExp(`^/records/(?:${ATTACHMENT_PARENT_SLUGS.join('|')})/[^/]+/attachments$`);

/** Result of parsing the upload form: the file, or why the form could not be read. */
export interface AttachmentUpload {
  file?: { bytes: Buffer; name: string };
  problem?: { status: 400 | 413; message: string };
}

export type AttachmentUploadRequest = Request & { attachmentUpload?: AttachmentUpload };

// busboy stops buffering the file once it passes fileSize, so memory storage
// keeps at most MAX_ATTACHMENT_BYTES per request; multer reads and discards
// the rest of the body before it reports the error.
const parseMultipart = multer({
  storage: multer.memoryStorage(),
  defParamCharset: 'utf8',
  limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 5, fieldSize: 1024, fieldNameSize: 100, parts: 8 },
}).single('file');

function problemOf(error: unknown): NonNullable<AttachmentUpload['problem']> {
  if (error instanceof MulterError && error.code === 'LIMIT_FILE_SIZE') {
    return { status: 413, message: `The file is larger than ${MAX_ATTACHMENT_SIZE_TEXT}. Attach a smaller PDF.` };
  }
  if (error instanceof MulterError && (error.code === 'LIMIT_UNEXPECTED_FILE' || error.code === 'LIMIT_FILE_COUNT')) {
    return { status: 400, message: 'Attach one PDF file at a time.' };
  }
  return { status: 400, message: 'The form could not be read. Reload the page and try again.' };
}

/**
 * Parses the multipart attachment form before the CSRF check, which needs
 * the form's _csrf field, so the form puts that field before the file. Only
 * a signed-in staff user's request is parsed. Any other gets no body and
 * fails the CSRF check. Parser errors are stored on the request rather than
 * raised, so the controller can respond with the reason.
 */
export function attachmentUploadParser(req: AttachmentUploadRequest, res: Response, next: NextFunction): void {
  const path = req.originalUrl.split('?')[0];
  if (req.method !== 'POST' || !UPLOAD_PATH.test(path) || !req.is('multipart/form-data')) return next();
  if ((req.user as { kind?: string } | undefined)?.kind !== 'staff') return next();

  parseMultipart(req, res, (error?: unknown) => {
    req.attachmentUpload = {};
    if (error) req.attachmentUpload.problem = problemOf(error);
    else if (req.file) req.attachmentUpload.file = { bytes: req.file.buffer, name: cleanAttachmentName(req.file.originalname) };
    next();
  });
}
