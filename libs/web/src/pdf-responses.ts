import type { Response } from 'express';

import type { RenderQueueOutcome } from '../../documents/src/render-queue';
import type { StoredObject } from '../../storage/src/document-storage';

/** Seconds between reloads of the "preparing" page. */
const REFRESH_SECONDS = 2;

/**
 * Streams a stored PDF as a download named `downloadName`. A storage error
 * in mid-stream is passed to `onError`, and the connection is then closed,
 * so the client sees a failed download rather than a short file.
 */
export function sendPdf(res: Response, stored: StoredObject, downloadName: string, onError: (error: Error) => void): void {
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Length', String(stored.size));
  res.setHeader('Content-Disposition', `attachment; filename="${downloadName}"; filename*=UTF-8''${encodeURIComponent(downloadName)}`);
  stored.stream.on('error', (error) => {
    onError(error);
    res.destroy(error);
  });
  stored.stream.pipe(res);
}

/**
 * Renders the page for a document that is not stored yet: 202 with a page
 * that reloads itself while the render is queued or running, 429 when the
 * user queued too many renders this minute, 503 while a failed render waits
 * out its cooldown. Each app has both views.
 */
export function sendDocumentNotReady(res: Response, outcome: RenderQueueOutcome, title: string, backHref: string): void {
  res.setHeader('Cache-Control', 'no-store');
  if (outcome === 'failed-recently' || outcome === 'over-limit') {
    res.status(outcome === 'over-limit' ? 429 : 503);
    res.setHeader('Retry-After', '60');
    res.render('pages/document-unavailable', { title: 'Document not ready', overLimit: outcome === 'over-limit', backHref });
    return;
  }
  res.status(202);
  res.setHeader('Retry-After', String(REFRESH_SECONDS));
  res.render('pages/document-preparing', { title, refreshSeconds: REFRESH_SECONDS, backHref });
}
