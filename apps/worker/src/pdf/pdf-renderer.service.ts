import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { BrowserContext, Page, TimeoutError } from 'puppeteer-core';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { metrics } from '../../../../libs/observability/src/metrics';
import { CHROMIUM_CLOSE_GRACE_MS, ChromiumHost, ChromiumInstance, settlesWithin } from './chromium-host';
import { PagePool } from './page-pool';
import { lockDownPage } from './page-lockdown';
import { pdfOptionsFor, PdfRenderOptions, validateRenderOptions } from './pdf-page-options';
import {
  PdfBrowserCrashedError,
  PdfRendererClosedError,
  PdfRenderError,
  PdfRenderTimeoutError,
} from './pdf-render-errors';

/** Counters since the renderer was created, for health checks and metrics. */
export interface PdfRendererStats {
  /** Renders that returned a PDF. */
  renders: number;
  /** Renders that rejected, timeouts included. */
  failures: number;
  timeouts: number;
  /** Requests the pages tried to make and were refused. */
  blockedRequests: number;
  /** Browsers started to replace one that crashed, disconnected or hung. */
  browserRestarts: number;
  /** Process id of the running browser, if one is running. */
  browserProcessId: number | undefined;
  /** Pages rendering now. Each has its own browser context; pages kept idle between renders are not counted. */
  openPages: number;
  peakOpenPages: number;
  /** Renders queued for a free page slot now. */
  waitingRenders: number;
  peakWaitingRenders: number;
}

/** A browser context with its locked-down page, kept between renders; `opened` is true once it is counted as open. */
interface PageLease {
  context: Promise<BrowserContext>;
  opened: boolean;
  page?: Page;
  chromium: ChromiumInstance;
}

/**
 * Renders HTML to PDF in one long-lived headless Chromium per worker
 * process. At most PDF_PAGE_POOL_SIZE pages render at once and later calls
 * queue in order. Each page lives in its own browser context with
 * JavaScript off, offline, and every network request blocked, and is kept
 * for the next render, because opening a context starts a renderer process
 * and costs more than the print itself. setContent replaces the whole
 * document, and with scripts off and nothing fetched a page keeps no state
 * from one document to the next. A render that fails closes its page.
 * Renders are limited to PDF_RENDER_TIMEOUT_MS. Failures caused by the
 * browser rather than the HTML reject with a PdfRenderError whose
 * `retryable` is true.
 */
@Injectable()
export class PdfRenderer implements OnApplicationShutdown {
  private readonly pool: PagePool;
  private readonly chromium: ChromiumHost;
  private readonly running = new Set<Promise<Buffer>>();
  /** Pages whose last render succeeded, ready for the next one. */
  private readonly idle: PageLease[] = [];
  private closing?: Promise<void>;
  private readonly counts = { renders: 0, failures: 0, timeouts: 0, blockedRequests: 0, openPages: 0, peakOpenPages: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(PdfRenderer.name);
    this.pool = new PagePool(config.PDF_PAGE_POOL_SIZE);
    this.chromium = new ChromiumHost(config.CHROMIUM_PATH, config.PDF_RENDER_TIMEOUT_MS, logger);
  }

  /**
   * Renders `html` to a PDF. It waits for a free page slot, and for Chromium to
   * start if none runs. The time limit covers only the work on the page.
   */
  async render(html: string, options: PdfRenderOptions): Promise<Buffer> {
    const started = Date.now();
    try {
      validateRenderOptions(options);
      if (this.closing) throw new PdfRendererClosedError();

      // acquire() runs before the first await, so calls made together queue in call order.
      const release = await this.pool.acquire();
      try {
        const pdf = await this.renderInSlot(html, options);
        this.counts.renders += 1;
        metrics().pdfRenderDuration.observe({ outcome: 'rendered' }, (Date.now() - started) / 1000);
        this.logger.debug({ durationMs: Date.now() - started, bytes: pdf.length }, 'PDF rendered');
        return pdf;
      } finally {
        release();
      }
    } catch (error) {
      this.counts.failures += 1;
      metrics().pdfRenderDuration.observe({ outcome: 'failed' }, (Date.now() - started) / 1000);
      const retryable = error instanceof PdfRenderError ? error.retryable : undefined;
      this.logger.warn({ err: error, retryable, durationMs: Date.now() - started }, 'PDF render failed');
      throw error;
    }
  }

  /** Resolves when Chromium runs and responds, starting it if none runs. The readiness check calls it. */
  async checkBrowser(): Promise<void> {
    if (this.closing) throw new PdfRendererClosedError();
    const chromium = await this.chromium.acquire();
    await chromium.browser.version();
  }

  stats(): PdfRendererStats {
    return {
      ...this.counts,
      browserRestarts: this.chromium.restartCount,
      browserProcessId: this.chromium.processId,
      waitingRenders: this.pool.waiting,
      peakWaitingRenders: this.pool.peakWaiting,
    };
  }

  /**
   * Rejects queued renders, lets the running ones finish (each is bounded by
   * its time limit), then closes Chromium and removes its profile folder.
   * Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /**
   * Closes on application shutdown rather than module destroy, because BullMQ
   * workers also stop in this phase and their running jobs may still render.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async shutDown(): Promise<void> {
    this.pool.rejectWaiting(new PdfRendererClosedError());
    await Promise.allSettled([...this.running]);
    this.idle.splice(0);
    await this.chromium.close();
    this.logger.info(this.stats(), 'PDF renderer closed');
  }

  private async renderInSlot(html: string, options: PdfRenderOptions): Promise<Buffer> {
    if (this.closing) throw new PdfRendererClosedError();

    const work = this.renderOnPage(html, options, options.timeoutMs ?? this.config.PDF_RENDER_TIMEOUT_MS);
    this.running.add(work);
    try {
      return await work;
    } finally {
      this.running.delete(work);
    }
  }

  private async renderOnPage(html: string, options: PdfRenderOptions, timeoutMs: number): Promise<Buffer> {
    const chromium = await this.chromium.acquire();
    const lease = (await this.takeIdle(chromium)) ?? this.openPage(chromium);
    const printing = this.print(lease, html, options, timeoutMs);
    // After a timeout nothing awaits `printing`, so its later rejection needs a handler here.
    printing.catch(() => undefined);

    let pdf: Buffer;
    try {
      pdf = await rejectAfter(printing, timeoutMs, () => new PdfRenderTimeoutError(timeoutMs));
    } catch (error) {
      await this.closePage(lease, chromium);
      throw this.explainFailure(error, chromium, timeoutMs);
    }
    if (this.closing || !chromium.browser.connected) {
      await this.closePage(lease, chromium);
    } else {
      // An idle page is kept open but no longer counts as a page in use.
      if (lease.opened) this.counts.openPages -= 1;
      this.idle.push(lease);
    }
    return pdf;
  }

  /** Takes a kept page of the running browser; pages of a browser that has gone are dropped. */
  private async takeIdle(chromium: ChromiumInstance): Promise<PageLease | undefined> {
    for (let lease = this.idle.pop(); lease; lease = this.idle.pop()) {
      if (lease.chromium === chromium && chromium.browser.connected) {
        this.counts.openPages += 1;
        this.counts.peakOpenPages = Math.max(this.counts.peakOpenPages, this.counts.openPages);
        return lease;
      }
      await lease.context.then((context) => context.close()).catch(() => undefined);
    }
    return undefined;
  }

  private openPage(chromium: ChromiumInstance): PageLease {
    const lease: PageLease = { context: chromium.browser.createBrowserContext(), opened: false, chromium };
    lease.context.then(
      () => {
        lease.opened = true;
        this.counts.openPages += 1;
        this.counts.peakOpenPages = Math.max(this.counts.peakOpenPages, this.counts.openPages);
      },
      () => undefined,
    );
    return lease;
  }

  private async print(lease: PageLease, html: string, options: PdfRenderOptions, timeoutMs: number): Promise<Buffer> {
    if (!lease.page) {
      const context = await lease.context;
      const page = await context.newPage();
      await lockDownPage(page, () => {
        this.counts.blockedRequests += 1;
      });
      lease.page = page;
    }
    const page = lease.page;
    await page.setContent(html, { waitUntil: 'load', timeout: timeoutMs });
    const pdf = await page.pdf(pdfOptionsFor(options, timeoutMs));

    return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  }

  /**
   * Closes the render's browser context and its page. A close that does not
   * finish within the grace period means the browser itself is hung, so it
   * is killed and the next render starts a new one.
   */
  private async closePage(lease: PageLease, chromium: ChromiumInstance): Promise<void> {
    const closed = lease.context.then((context) => context.close());
    const settled = await settlesWithin(closed, CHROMIUM_CLOSE_GRACE_MS);

    if (!settled) {
      await this.chromium.kill(chromium, `a page did not close within ${CHROMIUM_CLOSE_GRACE_MS} ms`);
    } else if (chromium.browser.connected) {
      // A context that fails to close while the browser runs would stay open for good.
      await closed.catch((error: unknown) => this.chromium.kill(chromium, `a page failed to close: ${String(error)}`));
    }

    if (lease.opened) this.counts.openPages -= 1;
  }

  /** Turns puppeteer's errors into PdfRenderErrors where the cause is known: a timeout or a lost browser. */
  private explainFailure(error: unknown, chromium: ChromiumInstance, timeoutMs: number): unknown {
    if (error instanceof PdfRenderTimeoutError || error instanceof TimeoutError) {
      this.counts.timeouts += 1;
      return error instanceof PdfRenderTimeoutError ? error : new PdfRenderTimeoutError(timeoutMs, { cause: error });
    }
    if (!chromium.browser.connected) {
      return new PdfBrowserCrashedError({ cause: error });
    }

    return error;
  }
}

/** Settles like `promise`, or rejects with `makeError()` after `ms` if it has not settled by then. */
async function rejectAfter<T>(promise: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(makeError()), ms);
  });

  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
