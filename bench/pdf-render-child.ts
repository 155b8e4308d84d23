import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import puppeteer, { Page } from 'puppeteer-core';

import { pdfOptionsFor, PdfRenderOptions } from '../apps/worker/src/pdf/pdf-page-options';
import { PdfRenderer } from '../apps/worker/src/pdf/pdf-renderer.service';
import { APP_CONFIG, AppConfig, ConfigModule, loadConfig } from '../libs/config/src';
import { LoggingModule } from '../libs/observability/src/logging.module';

/** The page both renderers print: a document's HTML with its Chromium header, footer and paper size. */
export interface PrintPage {
  html: string;
  format: 'Letter' | 'A4';
  headerTemplate: string;
  footerTemplate: string;
}

/** Messages from the PDF bench to a render child. */
export type RenderCommand =
  | { type: 'document'; page: PrintPage }
  | { type: 'round'; count: number }
  | { type: 'sample' };

/** Report a render child sends after each round. */
export interface RoundReport {
  type: 'round-done';
  /** Milliseconds per render, from the call until the PDF bytes arrived. */
  times: number[];
  failures: number;
  bytes: number;
}

/** Builds the render options that DocumentRenderService passes to PdfRenderer for this page. */
function renderOptionsOf(page: PrintPage): PdfRenderOptions {
  return { format: page.format, headerTemplate: page.headerTemplate, footerTemplate: page.footerTemplate };
}

interface BenchRenderer {
  /** Renders in flight at once: the worker's PDF_PAGE_POOL_SIZE, which the baseline copies. */
  concurrency: number;
  /** Renders the page. `slot`, from 0 to concurrency - 1, identifies the calling loop. */
  render(page: PrintPage, slot: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** The worker's PdfRenderer with the worker's configuration and logging, built through Nest. */
@Module({ imports: [ConfigModule, LoggingModule.forApp('worker')], providers: [PdfRenderer] })
class RendererModule {}

async function productRenderer(): Promise<BenchRenderer> {
  const app = await NestFactory.createApplicationContext(RendererModule, { logger: false });
  const renderer = app.get(PdfRenderer);
  return {
    concurrency: app.get<AppConfig>(APP_CONFIG).PDF_PAGE_POOL_SIZE,
    render: (page) => renderer.render(page.html, renderOptionsOf(page)),
    close: () => app.close(),
  };
}

/**
 * Starts the baseline the worker is measured against: puppeteer-core with
 * one browser, printing with a fresh page per render (newPage, setContent,
 * pdf, close) and the worker's PDF options. It has no browser context per
 * render, no lock-down, no pool and no time limit.
 */
async function baselineRenderer(concurrency: number): Promise<BenchRenderer> {
  const config = loadConfig();
  // Chromium does not start as root with its sandbox on, and benches often run as root, in containers for example.
  const browser = await puppeteer.launch({ executablePath: config.CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
  return {
    concurrency,
    async render(page) {
      const fresh: Page = await browser.newPage();
      try {
        await fresh.setContent(page.html, { waitUntil: 'load' });
        const pdf = await fresh.pdf(pdfOptionsFor(renderOptionsOf(page), config.PDF_RENDER_TIMEOUT_MS));
        return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
      } finally {
        await fresh.close();
      }
    },
    close: () => browser.close(),
  };
}

/** Renders `count` copies with `concurrency` loops in a closed loop, and times each render. */
async function renderRound(renderer: BenchRenderer, page: PrintPage, count: number, keep: (pdf: Buffer) => void): Promise<RoundReport> {
  const times: number[] = [];
  let failures = 0;
  let bytes = 0;
  let next = 0;

  const loop = async (slot: number) => {
    while (next < count) {
      next += 1;
      const started = performance.now();
      try {
        const pdf = await renderer.render(page, slot);
        times.push(performance.now() - started);
        bytes += pdf.length;
        if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') failures += 1;
        keep(pdf);
      } catch (error) {
        failures += 1;
        console.error('render failed:', error);
      }
    }
  };
  await Promise.all(Array.from({ length: renderer.concurrency }, (_, slot) => loop(slot)));
  return { type: 'round-done', times, failures, bytes };
}

/**
 * Runs one render child of the PDF bench. Arguments: `product` or
 * `baseline`, and for the baseline the number of renders in flight.
 */
async function main(): Promise<void> {
  const [mode, concurrencyArgument] = process.argv.slice(2);
  const renderer = mode === 'product' ? await productRenderer() : await baselineRenderer(Number(concurrencyArgument));
  let page: PrintPage | undefined;
  let lastPdf: Buffer | undefined;

  const close = () => void renderer.close().finally(() => process.exit(0));
  process.once('SIGTERM', close);
  // The bench process has exited (after Ctrl-C, for example), so this one exits too.
  process.once('disconnect', close);

  process.on('message', (command: RenderCommand) => {
    if (command.type === 'document') {
      page = command.page;
      process.send?.({ type: 'document-ready' });
    } else if (command.type === 'round') {
      if (!page) throw new Error('a round was requested before the document');
      void renderRound(renderer, page, command.count, (pdf) => (lastPdf = pdf)).then((report) => process.send?.(report));
    } else {
      process.send?.({ type: 'sample-pdf', base64: lastPdf?.toString('base64') ?? '' });
    }
  });
  process.send?.({ type: 'ready', concurrency: renderer.concurrency });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
