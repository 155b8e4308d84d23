import type { Response } from 'express';

import { safeFileName } from '../../documents/src/file-name';
import type { StoredObject } from '../../storage/src/document-storage';
import { EXTENSIONS, RequestFileType } from './upload-files';

/** Returns the ASCII download name of a stored file, with the extension of its detected type, such as "Leak.jpg". */
export function downloadName(fileName: string, contentType: string): string {
  const extension = EXTENSIONS[contentType as RequestFileType] ?? 'pdf';
  const base = safeFileName(fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '')).replace(/\.pdf$/, '');
  return `${base}.${extension}`;
}

/**
 * Streams a stored file as a download, never inline, with the type found
 * from its bytes at upload. A storage error in mid-stream goes to `onError`
 * and closes the connection, so the client sees a failed download.
 */
export function sendStoredFile(
  res: Response,
  stored: StoredObject,
  contentType: string,
  name: string,
  onError: (error: Error) => void,
): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', String(stored.size));
  res.setHeader('Content-Disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  stored.stream.on('error', (error) => {
    onError(error);
    res.destroy(error);
  });
  stored.stream.pipe(res);
}
