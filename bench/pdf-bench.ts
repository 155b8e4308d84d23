import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { appUrl, nextMessage, start, stop } from './child-processes';
import { percentile } from './load';
import { preparePrintPage } from './pdf-document';
import type { PrintPage, RenderCommand, RoundReport } from './pdf-render-child';
import { MemoryUse, TreeMemorySampler } from './process-tree';

/**
 * Measures how fast the worker's PdfRenderer prints a three-page inspection
 * report, beside plain puppeteer-core printing the same HTML with the same
 * options. Each renderer runs in its own process with its own Chromium.
 */
const COUNT = Number(process.env.BENCH_PDF_COUNT ?? 1000);
const ROUNDS = Number(process.env.BENCH_PDF_ROUNDS ?? 10);
/** Renders after which the tree's memory is read the first time, to compare with the memory after all of them. */
const EARLY_MEMORY_AFTER = 100;
/** Findings in the report. With the current template, 12 to 23 findings print on three Letter pages. */
const FINDINGS = Number(process.env.BENCH_PDF_FINDINGS ?? 18);
const EXPECTED_PAGES = 3;
const ROUND_TIMEOUT_MS = 300_000;
const DATABASE_URL = process.env.BENCH_PDF_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/portal_bench_pdf';

const run = promisify(execFile);

interface RendererResult {
  seconds: number;
  times: number[];
  failures: number;
  bytes: number;
  peakMemory: MemoryUse;
  /** The tree's memory once EARLY_MEMORY_AFTER renders were done, and after the last one. */
  earlyMemory: MemoryUse;
  finalMemory: MemoryUse;
  pages: number;
}

/** Sends a command to a render child and waits for its reply of type `replyType`. */
function request<T extends { type: string }>(child: ChildProcess, command: RenderCommand, replyType: T['type'], timeoutMs = 60_000): Promise<T> {
  const reply = nextMessage<T>(child, replyType, timeoutMs);
  child.send(command);
  return reply;
}

/** Splits `COUNT` into `ROUNDS` consecutive round sizes that differ by at most one. */
function roundSizes(): number[] {
  return Array.from({ length: ROUNDS }, (_, round) => Math.floor((COUNT * (round + 1)) / ROUNDS) - Math.floor((COUNT * round) / ROUNDS));
}

/** Counts the pages of the child's most recent PDF with poppler's pdfinfo. */
async function pagesOfLastPdf(child: ChildProcess, folder: string, name: string): Promise<number> {
  const { base64 } = await request<{ type: 'sample-pdf'; base64: string }>(child, { type: 'sample' }, 'sample-pdf');
  const file = join(folder, `${name}.pdf`);
  await writeFile(file, Buffer.from(base64, 'base64'));
  const { stdout } = await run('pdfinfo', [file]);
  return Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1] ?? NaN);
}

/** Starts both render children, gives them the page, and renders a warm-up round in each (Chromium starts on the first render). */
async function startRenderers(started: ChildProcess[], page: PrintPage): Promise<{ product: ChildProcess; baseline: ChildProcess; concurrency: number }> {
  const product = start('bench/pdf-render-child.ts', ['product'], {
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-session-secret-bench-session-secret',
  });
  started.push(product);
  const { concurrency } = await nextMessage<{ type: 'ready'; concurrency: number }>(product, 'ready', 60_000);
  const baseline = start('bench/pdf-render-child.ts', ['baseline', String(concurrency)], {});
  started.push(baseline);
  await nextMessage(baseline, 'ready', 60_000);

  for (const child of [product, baseline]) {
    await request(child, { type: 'document', page }, 'document-ready');
    await request<RoundReport>(child, { type: 'round', count: 2 * concurrency }, 'round-done', ROUND_TIMEOUT_MS);
  }
  return { product, baseline, concurrency };
}

/** Renders the rounds, each renderer's share of a round after the other's, and sums the wall time per renderer. */
async function measure(children: ChildProcess[], sampler: TreeMemorySampler): Promise<Array<Omit<RendererResult, 'pages'>>> {
  const results = children.map(() => ({
    seconds: 0,
    times: [] as number[],
    failures: 0,
    bytes: 0,
    earlyMemory: undefined as MemoryUse | undefined,
    finalMemory: { rss: 0, pss: 0 },
  }));
  sampler.start();
  try {
    for (const count of roundSizes()) {
      for (const [index, child] of children.entries()) {
        const started = performance.now();
        const report = await request<RoundReport>(child, { type: 'round', count }, 'round-done', ROUND_TIMEOUT_MS);
        results[index].seconds += (performance.now() - started) / 1000;
        results[index].times.push(...report.times);
        results[index].failures += report.failures;
        results[index].bytes += report.bytes;
        if (!results[index].earlyMemory && results[index].times.length >= EARLY_MEMORY_AFTER) {
          results[index].earlyMemory = await sampler.current(child.pid!);
        }
      }
    }
    for (const [index, child] of children.entries()) results[index].finalMemory = await sampler.current(child.pid!);
  } finally {
    sampler.stop();
  }
  return results.map((result, index) => ({
    ...result,
    earlyMemory: result.earlyMemory ?? result.finalMemory,
    peakMemory: sampler.peak(children[index].pid!),
  }));
}

const HEADER = ['PDFs/s', 'p50 ms', 'p99 ms', 'total s', 'peak RSS MB', 'peak PSS MB', 'KB/PDF', 'pages'];

function row(name: string, result: RendererResult): string {
  const times = [...result.times].sort((left, right) => left - right);
  const cells = [
    (result.times.length / result.seconds).toFixed(1),
    percentile(times, 0.5).toFixed(0),
    percentile(times, 0.99).toFixed(0),
    result.seconds.toFixed(1),
    (result.peakMemory.rss / 1024).toFixed(0),
    (result.peakMemory.pss / 1024).toFixed(0),
    (result.bytes / result.times.length / 1024).toFixed(0),
    String(result.pages),
  ];
  return `${name.padEnd(34)}${cells.map((cell, index) => cell.padStart(HEADER[index].length + 2)).join('')}`;
}

/** Runs the PDF rendering benchmark, checks the output and prints its table. */
export async function runPdfBench(): Promise<void> {
  const loadBefore = loadavg();
  const { page, findings } = await preparePrintPage(DATABASE_URL, appUrl(DATABASE_URL), FINDINGS);
  const folder = await mkdtemp(join(tmpdir(), 'pdf-bench-'));
  const started: ChildProcess[] = [];
  try {
    const { product, baseline, concurrency } = await startRenderers(started, page);
    const productPages = await pagesOfLastPdf(product, folder, 'product');
    if (productPages !== EXPECTED_PAGES) {
      throw new Error(`the bench report printed on ${productPages} pages instead of ${EXPECTED_PAGES}; adjust BENCH_PDF_FINDINGS (now ${FINDINGS})`);
    }

    const sampler = new TreeMemorySampler([product.pid!, baseline.pid!]);
    const [worker, plain] = await measure([product, baseline], sampler);
    const results = { worker: { ...worker, pages: productPages }, baseline: { ...plain, pages: await pagesOfLastPdf(baseline, folder, 'baseline') } };
    const problems = Object.entries(results).flatMap(([name, result]) => [
      ...(result.failures > 0 ? [`${result.failures} ${name} renders failed or returned no PDF`] : []),
      ...(result.times.length !== COUNT ? [`${name} returned ${result.times.length} PDFs, expected ${COUNT}`] : []),
    ]);
    if (problems.length > 0) throw new Error(`PDF bench verification failed:\n- ${problems.join('\n- ')}`);

    console.log(
      `\nPDF rendering, an inspection report of ${findings} findings on ${productPages} ${page.format} pages ` +
        `(${(page.html.length / 1024).toFixed(0)} KB of HTML), ${COUNT} per renderer in ${ROUNDS} alternating rounds, ` +
        `${concurrency} in flight (PDF_PAGE_POOL_SIZE)`,
    );
    console.log(`${'renderer'.padEnd(34)}${HEADER.map((title) => title.padStart(title.length + 2)).join('')}`);
    console.log(row('worker (PdfRenderer)', results.worker));
    console.log(row('baseline (puppeteer-core only)', results.baseline));
    console.log(`worker throughput is ${((results.baseline.seconds / results.worker.seconds) * 100).toFixed(0)}% of the baseline`);
    for (const [name, result] of Object.entries(results)) {
      const growth = ((result.finalMemory.rss / result.earlyMemory.rss - 1) * 100).toFixed(0);
      console.log(
        `${name} memory after ${EARLY_MEMORY_AFTER} renders: RSS ${(result.earlyMemory.rss / 1024).toFixed(0)} MB, ` +
          `PSS ${(result.earlyMemory.pss / 1024).toFixed(0)} MB; after ${COUNT}: RSS ${(result.finalMemory.rss / 1024).toFixed(0)} MB, ` +
          `PSS ${(result.finalMemory.pss / 1024).toFixed(0)} MB (RSS change ${growth}%)`,
      );
    }
    console.log('p50 and p99: time per render, from the call until the PDF bytes arrived');
    console.log(
      'peak RSS and PSS: largest sums over the Node process, Chromium and its helpers, sampled every 200 ms; ' +
        'the RSS sum counts shared pages once per process',
    );
    console.log(`load average (1, 5, 15 min): ${loadBefore.map((value) => value.toFixed(1)).join(', ')} before, ${loadavg().map((value) => value.toFixed(1)).join(', ')} after`);
  } finally {
    await Promise.all(started.map(stop));
    await rm(folder, { recursive: true, force: true });
  }
}
