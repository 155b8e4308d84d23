import type { PDFMargin, PDFOptions } from 'puppeteer-core';

import { PdfRenderError } from './pdf-render-errors';

export type PdfPaperFormat = 'Letter' | 'A4';

export interface PdfRenderOptions {
  format: PdfPaperFormat;
  /**
   * Chromium header and footer templates. Elements with the classes
   * pageNumber, totalPages, title, date and url are filled in per page, so
   * `Page <span class="pageNumber"></span> of <span class="totalPages"></span>`
   * prints "Page 1 of 3". Templates set no font size of their own, and
   * Chromium's default is very small, so give one.
   */
  headerTemplate?: string;
  footerTemplate?: string;
  /** Overrides PDF_RENDER_TIMEOUT_MS for this render, in milliseconds. */
  timeoutMs?: number;
}

/**
 * Page margins per paper size. The header and footer print inside the top
 * and bottom margins, so these leave room for one line of small text.
 */
const MARGINS: Record<PdfPaperFormat, PDFMargin> = {
  Letter: { top: '0.75in', bottom: '0.75in', left: '0.6in', right: '0.6in' },
  A4: { top: '20mm', bottom: '20mm', left: '15mm', right: '15mm' },
};

/** Chromium prints its own date and title in place of an empty template, so a missing one becomes this. */
const BLANK_TEMPLATE = '<span></span>';

/** Checks the caller's options. A bad value fails the same way on every attempt, so the error is not retryable. */
export function validateRenderOptions(options: PdfRenderOptions): void {
  if (!Object.hasOwn(MARGINS, options.format)) {
    throw new PdfRenderError(`Invalid PDF paper format "${String(options.format)}". Use Letter or A4.`, false);
  }

  const timeoutMs = options.timeoutMs;
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) {
    throw new PdfRenderError(`Invalid PDF render timeoutMs ${timeoutMs}. Use a positive whole number of milliseconds.`, false);
  }
}

/** Builds the options for puppeteer's page.pdf(). */
export function pdfOptionsFor(options: PdfRenderOptions, timeoutMs: number): PDFOptions {
  const withHeaderFooter = options.headerTemplate !== undefined || options.footerTemplate !== undefined;

  return {
    format: options.format,
    printBackground: true,
    margin: MARGINS[options.format],
    displayHeaderFooter: withHeaderFooter,
    headerTemplate: withHeaderFooter ? options.headerTemplate || BLANK_TEMPLATE : undefined,
    footerTemplate: withHeaderFooter ? options.footerTemplate || BLANK_TEMPLATE : undefined,
    // The renderer's own timer enforces the limit, and this is a backstop inside puppeteer.
    timeout: timeoutMs,
  };
}
