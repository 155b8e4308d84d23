import type { NextFunction, Request, Response } from 'express';
import multer, { MulterError } from 'multer';

import {
  MAX_REQUEST_FILE_BYTES,
  MAX_REQUEST_FILES,
  MAX_REQUEST_TOTAL_BYTES,
  UploadedFile,
} from '../../../../libs/service-requests/src/upload-files';

/** Path the service request form posts to. */
export const NEW_REQUEST_PATH = '/service-requests/new';

/** Largest body parsed at all: every file at its limit plus room for the text fields. */
const MAX_BODY_BYTES = MAX_REQUEST_FILES * MAX_REQUEST_FILE_BYTES + 1024 * 1024;

/** Result of parsing the form: the files, or why they could not be read. */
export interface RequestUpload {
  files: UploadedFile[];
  problem?: string;
}

export type RequestUploadRequest = Request & { requestUpload?: RequestUpload };

// busboy stops buffering a file once it passes fileSize, so memory storage
// keeps at most MAX_REQUEST_FILES files of MAX_REQUEST_FILE_BYTES each.
const parseMultipart = multer({
  storage: multer.memoryStorage(),
  defParamCharset: 'utf8',
  limits: {
    fileSize: MAX_REQUEST_FILE_BYTES,
    files: MAX_REQUEST_FILES,
    fields: 20,
    fieldSize: 20_000,
    fieldNameSize: 100,
    parts: 30,
  },
}).array('attachments', MAX_REQUEST_FILES);

function problemOf(error: unknown): string {
  if (error instanceof MulterError && error.code === 'LIMIT_FILE_SIZE') {
    return `A file is larger than ${MAX_REQUEST_FILE_BYTES / (1024 * 1024)} MB. Attach photos or PDFs of at most that size each.`;
  }
  if (error instanceof MulterError && (error.code === 'LIMIT_FILE_COUNT' || error.code === 'LIMIT_UNEXPECTED_FILE')) {
    return `Attach at most ${MAX_REQUEST_FILES} files.`;
  }
  return 'The files could not be read. Choose them again.';
}

/**
 * Parses the multipart service request form before the CSRF check, which
 * needs the form's _csrf field, so the form puts its fields before the file
 * input. Only a signed-in portal user's request is parsed; any other gets no
 * body and fails the CSRF check. Parser errors are kept on the request, with
 * the text fields read so far, so the form can be shown again with the reason.
 */
export function requestUploadParser(req: RequestUploadRequest, res: Response, next: NextFunction): void {
  if (req.method !== 'POST' || req.originalUrl.split('?')[0] !== NEW_REQUEST_PATH || !req.is('multipart/form-data')) return next();
  if ((req.user as { kind?: string } | undefined)?.kind !== 'portal') return next();

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    res.setHeader('Connection', 'close');
    res.status(413).type('text').send(
      `The form is larger than ${Math.round(MAX_REQUEST_TOTAL_BYTES / (1024 * 1024))} MB. Go back and attach fewer or smaller files.`,
    );
    return;
  }

  parseMultipart(req, res, (error?: unknown) => {
    const files = Array.isArray(req.files) ? req.files : [];
    req.requestUpload = { files: files.map((file) => ({ name: file.originalname, bytes: file.buffer })) };
    if (error) req.requestUpload = { files: [], problem: problemOf(error) };
    next();
  });
}
