import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Test, TestingModule } from '@nestjs/testing';

import { PagePool } from '../../apps/worker/src/pdf/page-pool';
import { PdfRenderOptions } from '../../apps/worker/src/pdf/pdf-page-options';
import {
  PdfBrowserCrashedError,
  PdfBrowserLaunchError,
  PdfRendererClosedError,
  PdfRenderError,
  PdfRenderTimeoutError,
} from '../../apps/worker/src/pdf/pdf-render-errors';
import { PdfRenderer } from '../../apps/worker/src/pdf/pdf-renderer.service';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { APP_CONFIG, AppConfig, ConfigModule, loadConfig } from '../../libs/config/src';
import { LoggingModule } from '../../libs/observability/src/logging.module';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Declares the Chromium suites, or skips them with the reason when no
 * Chromium is installed. CI installs Debian's chromium, poppler-utils and
 * qpdf in .ci/run, so a skip there means that step failed.
 */
function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }

  console.warn(`Skipping "${name}": no Chromium at ${CHROMIUM}. Install Debian's chromium package or set CHROMIUM_PATH.`);
  describe.skip(`${name} (no Chromium at ${CHROMIUM})`, body);
}

interface RendererUnderTest {
  renderer: PdfRenderer;
  module: TestingModule;
}

/** Builds the renderer through Nest, with the worker's configuration and logging modules. */
async function startRenderer(overrides: Partial<AppConfig> = {}): Promise<RendererUnderTest> {
  const module = await Test.createTestingModule({
    imports: [ConfigModule, LoggingModule.forApp('worker')],
    providers: [PdfRenderer],
  })
    .overrideProvider(APP_CONFIG)
    .useValue({ ...loadConfig(), ...overrides })
    .compile();
  await module.init();

  return { renderer: module.get(PdfRenderer), module };
}

/** Builds an HTML table of `rows` rows. A few thousand rows print slowly enough to interrupt (6,000 took about 3 s on a 2-core VM). */
function largeDocument(rows: number): string {
  const body = Array.from({ length: rows }, (_, i) => `<tr><td>Row ${i}</td><td>${'value '.repeat(8)}</td></tr>`);
  return `<!doctype html><html><body><table>${body.join('')}</table></body></html>`;
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Reads Chromium's --user-data-dir from the running process's command line. */
function userDataDirOf(pid: number): string {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const flag = argv.find((arg) => arg.startsWith('--user-data-dir='));
  if (!flag) throw new Error(`Chromium process ${pid} has no --user-data-dir flag`);

  return flag.slice('--user-data-dir='.length);
}

/**
 * Lists live processes in the given process groups, or with one of the
 * given folders on their command line. Each browser leads its own group, so
 * the group catches renderers and zygotes whose command line names no
 * folder. Zombies are left out because they no longer run.
 */
function chromiumProcessesLeft(groups: number[], userDataDirs: string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;

    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // exited while the list was read
    }

    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const inGroup = groups.includes(Number(group));
    const namesDir = userDataDirs.some((dir) => cmdline.includes(dir));
    if (state !== 'Z' && (inGroup || namesDir)) found.push(`${entry}: ${cmdline.split('\0').join(' ').slice(0, 100)}`);
  }

  return found;
}

describe('PagePool', () => {
  it('grants queued slots in request order', async () => {
    const pool = new PagePool(1);
    const order: number[] = [];
    const first = await pool.acquire();
    const waiting = [1, 2, 3].map((n) =>
      pool.acquire().then((release) => {
        order.push(n);
        release();
      }),
    );

    expect(pool.waiting).toBe(3);
    first();
    await Promise.all(waiting);

    expect(order).toEqual([1, 2, 3]);
    expect(pool.active).toBe(0);
    expect(pool.peakActive).toBe(1);
  });

  it('rejects queued requests on rejectWaiting', async () => {
    const pool = new PagePool(1);
    await pool.acquire();
    const queued = pool.acquire();

    pool.rejectWaiting(new PdfRendererClosedError());

    await expect(queued).rejects.toBeInstanceOf(PdfRendererClosedError);
    expect(pool.waiting).toBe(0);
  });
});

describe('WorkerModule', () => {
  it('provides PdfRenderer', () => {
    const providers: unknown[] = Reflect.getMetadata('providers', WorkerModule);
    expect(providers).toContain(PdfRenderer);
  });
});

describeWithChromium('PdfRenderer with real Chromium', () => {
  let workDir: string;
  let shared: RendererUnderTest;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'pdf-renderer-test-'));
    shared = await startRenderer();
  });

  afterAll(async () => {
    await shared?.module.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function saved(pdf: Buffer): Promise<string> {
    const file = join(workDir, `${randomUUID()}.pdf`);
    await writeFile(file, pdf);
    return file;
  }

  async function pdfText(pdf: Buffer): Promise<string> {
    const { stdout } = await run('pdftotext', ['-layout', await saved(pdf), '-']);
    return stdout;
  }

  async function pdfInfo(pdf: Buffer): Promise<string> {
    const { stdout } = await run('pdfinfo', [await saved(pdf)]);
    return stdout;
  }

  describe('output', () => {
    const footer =
      '<div style="font-size:9px;width:100%;text-align:center">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>';
    const header = '<div style="font-size:9px;width:100%;text-align:center">Brightline Fire Protection</div>';
    const sections = ['Inspection summary', 'Findings', 'Deficiencies'].map(
      (title, i) => `<section style="${i < 2 ? 'break-after: page' : ''}"><h1>${title}</h1><p>Section ${i + 1} body.</p></section>`,
    );
    const report = `<!doctype html><html><head><title>Annual inspection</title></head><body>${sections.join('')}</body></html>`;

    it('prints text, header and page numbers', async () => {
      const pdf = await shared.renderer.render(report, { format: 'Letter', headerTemplate: header, footerTemplate: footer });
      const text = await pdfText(pdf);

      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(text).toContain('Inspection summary');
      expect(text).toContain('Deficiencies');
      expect(text).toContain('Brightline Fire Protection');
      expect(text).toContain('Page 1 of 3');
      expect(text).toContain('Page 2 of 3');
      expect(text).toContain('Page 3 of 3');
      expect(await pdfInfo(pdf)).toMatch(/^Pages:\s+3$/m);
      expect(await pdfInfo(pdf)).toMatch(/^Page size:\s+612 x 792 pts \(letter\)$/m);
    });

    it('keeps nothing of one document in the next on a reused page', async () => {
      const first = await shared.renderer.render('<p>First tenant ALPHA-7731 confidential</p>', { format: 'Letter' });
      const second = await shared.renderer.render('<p>Second tenant BRAVO</p>', { format: 'Letter' });
      expect(await pdfText(first)).toContain('ALPHA-7731');
      const text = await pdfText(second);
      expect(text).toContain('BRAVO');
      expect(text).not.toContain('ALPHA-7731');
    });

    it('passes qpdf --check', async () => {
      const pdf = await shared.renderer.render(report, { format: 'A4', footerTemplate: footer });
      const { stdout } = await run('qpdf', ['--check', await saved(pdf)]);

      expect(stdout).toContain('No syntax or stream encoding errors found');
    });

    it('sizes A4 pages and prints no default header', async () => {
      const pdf = await shared.renderer.render(report, { format: 'A4', footerTemplate: footer });
      const text = await pdfText(pdf);

      expect(await pdfInfo(pdf)).toMatch(/^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)$/m);
      // Chromium fills an empty header template with the title and date.
      expect(text).not.toContain('Annual inspection');
    });

    it('rejects an unknown paper format without retry', async () => {
      const options = { format: 'Legal' } as unknown as PdfRenderOptions;
      const failure = shared.renderer.render('<p>x</p>', options);

      await expect(failure).rejects.toThrow('Invalid PDF paper format "Legal". Use Letter or A4.');
      await expect(failure).rejects.toMatchObject({ retryable: false });
    });
  });

  describe('hostile input', () => {
    let server: Server;
    let origin: string;
    const requests: string[] = [];
    const sockets: Socket[] = [];
    let connections = 0;

    beforeAll(async () => {
      server = createServer((request, response) => {
        requests.push(`${request.method} ${request.url}`);
        response.end('fetched');
      });
      server.on('connection', (socket) => {
        connections += 1;
        sockets.push(socket);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('makes no request and reads no local file', async () => {
      const html = `<!doctype html><html><head>
        <base href="${origin}/base/">
        <meta http-equiv="refresh" content="0;url=${origin}/refresh">
        <link rel="stylesheet" href="${origin}/css">
        <link rel="stylesheet" href="file:///etc/passwd">
        <link href="file:///etc/passwd">
        <link rel="prefetch" href="${origin}/prefetch">
        <link rel="preload" as="image" href="${origin}/preload">
        <link rel="preconnect" href="${origin}">
        <link rel="dns-prefetch" href="${origin}">
        <link rel="icon" href="${origin}/icon">
        <style>
          @import url(${origin}/import.css);
          @font-face { font-family: Remote; src: url(${origin}/font.woff); }
          body { font-family: Remote, sans-serif; }
        </style>
        </head><body>
        <p>Hostile input marker</p>
        <img src="${origin}/img">
        <img src="relative-to-base.png">
        <img src="file:///etc/passwd">
        <img srcset="${origin}/srcset 2x">
        <iframe src="${origin}/frame"></iframe>
        <iframe src="file:///etc/passwd"></iframe>
        <object data="${origin}/object"></object>
        <object data="file:///etc/passwd" type="text/plain"></object>
        <embed src="${origin}/embed">
        <video poster="${origin}/poster" src="${origin}/video"></video>
        <audio src="${origin}/audio"></audio>
        <svg width="10" height="10"><image href="${origin}/svg-image" width="10" height="10"/></svg>
        <div style="background:url(${origin}/bg);width:20px;height:20px"></div>
        <script>fetch('${origin}/js'); new Image().src = '${origin}/js-image';</script>
        <form action="${origin}/form"><input type="image" src="${origin}/input"></form>
        </body></html>`;
      const footer = `<div style="font-size:9px"><img src="${origin}/footer-img">Page <span class="pageNumber"></span></div>`;

      const blockedBefore = shared.renderer.stats().blockedRequests;
      const pdf = await shared.renderer.render(html, { format: 'Letter', footerTemplate: footer });
      // A prefetch or a refresh could still be on its way when render() returns.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const text = await pdfText(pdf);

      expect(requests).toEqual([]);
      expect(connections).toBe(0);
      expect(text).toContain('Hostile input marker');
      expect(text).not.toContain('root:x:0:0');
      expect(text).not.toContain('fetched');
      // The frame and refresh navigations reach the request handler, and the rest fail earlier in Chromium.
      expect(shared.renderer.stats().blockedRequests).toBeGreaterThan(blockedBefore);
    });

    it('allows data: URL images', async () => {
      const pixel =
        'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
      const pdf = await shared.renderer.render(`<p>Logo</p><img src="${pixel}" width="200" height="200">`, { format: 'A4' });
      const { stdout } = await run('pdfimages', ['-list', await saved(pdf)]);

      expect(stdout.trim().split('\n').length).toBeGreaterThan(2);
    });
  });

  describe('page pool', () => {
    let pooled: RendererUnderTest;

    beforeAll(async () => {
      pooled = await startRenderer();
    });

    afterAll(async () => {
      await pooled?.module.close();
    });

    it('runs six renders two pages at a time', async () => {
      let maxOpenSeen = 0;
      const sampler = setInterval(() => {
        maxOpenSeen = Math.max(maxOpenSeen, pooled.renderer.stats().openPages);
      }, 1);

      const titles = Array.from({ length: 6 }, (_, i) => `Work order ${i + 1}`);
      let pdfs: Buffer[];
      try {
        pdfs = await Promise.all(
          titles.map((title) => pooled.renderer.render(`<h1>${title}</h1>${largeDocument(300)}`, { format: 'A4' })),
        );
      } finally {
        clearInterval(sampler);
      }

      for (const [i, pdf] of pdfs.entries()) {
        const text = await pdfText(pdf);
        expect(text).toContain(titles[i]);
      }
      const stats = pooled.renderer.stats();
      expect(stats.renders).toBe(6);
      expect(stats.failures).toBe(0);
      expect(stats.peakOpenPages).toBe(2);
      expect(maxOpenSeen).toBeLessThanOrEqual(2);
      expect(stats.peakWaitingRenders).toBe(4);
      expect(stats.openPages).toBe(0);
      expect(stats.waitingRenders).toBe(0);
    });
  });

  describe('time limit', () => {
    it('rejects at a 1 ms limit and recovers', async () => {
      const failure = shared.renderer.render('<p>quick</p>', { format: 'A4', timeoutMs: 1 });

      await expect(failure).rejects.toBeInstanceOf(PdfRenderTimeoutError);
      await expect(failure).rejects.toThrow('PDF render timed out after 1 ms');
      await expect(failure).rejects.toMatchObject({ retryable: true });
      expect(shared.renderer.stats().openPages).toBe(0);

      const text = await pdfText(await shared.renderer.render('<p>After the timeout</p>', { format: 'A4' }));
      expect(text).toContain('After the timeout');
    });

    it('closes a page that is still printing', async () => {
      const timeoutsBefore = shared.renderer.stats().timeouts;
      const failure = shared.renderer.render(largeDocument(20_000), { format: 'A4', timeoutMs: 2_000 });

      await expect(failure).rejects.toThrow('PDF render timed out after 2000 ms');
      expect(shared.renderer.stats().timeouts).toBe(timeoutsBefore + 1);
      expect(shared.renderer.stats().openPages).toBe(0);

      const text = await pdfText(await shared.renderer.render('<p>Still rendering</p>', { format: 'A4' }));
      expect(text).toContain('Still rendering');
    }, 30_000);
  });

  describe('browser failures', () => {
    it('replaces a killed browser and leaves no process after close', async () => {
      const { renderer, module } = await startRenderer();
      const pids: number[] = [];
      const dirs: string[] = [];
      const remember = () => {
        const pid = renderer.stats().browserProcessId;
        if (pid === undefined) throw new Error('no browser is running');
        if (!pids.includes(pid)) {
          pids.push(pid);
          dirs.push(userDataDirOf(pid));
        }
        return pid;
      };

      try {
        await renderer.render('<p>First</p>', { format: 'A4' });
        const first = remember();

        // A browser killed between renders is replaced by the next render.
        process.kill(first, 'SIGKILL');
        await waitUntil(() => renderer.stats().browserProcessId === undefined, 5_000, 'the renderer to see the crash');
        expect(await pdfText(await renderer.render('<p>Second</p>', { format: 'A4' }))).toContain('Second');
        const second = remember();
        expect(second).not.toBe(first);

        // A browser killed during a render fails that render with a retryable error.
        const inFlight = renderer.render(largeDocument(6_000), { format: 'A4' });
        await waitUntil(() => renderer.stats().openPages === 1, 5_000, 'the render to open its page');
        await new Promise((resolve) => setTimeout(resolve, 200));
        process.kill(second, 'SIGKILL');

        await expect(inFlight).rejects.toBeInstanceOf(PdfBrowserCrashedError);
        await expect(inFlight).rejects.toMatchObject({ retryable: true });
        expect(await pdfText(await renderer.render('<p>Third</p>', { format: 'A4' }))).toContain('Third');
        const third = remember();
        expect(third).not.toBe(second);

        const stats = renderer.stats();
        expect(stats.browserRestarts).toBe(2);
        expect(stats.openPages).toBe(0);
      } finally {
        await renderer.close();
        await module.close();
      }

      await expect(renderer.render('<p>Late</p>', { format: 'A4' })).rejects.toBeInstanceOf(PdfRendererClosedError);
      await waitUntil(() => chromiumProcessesLeft(pids, dirs).length === 0, 5_000, 'Chromium processes to exit');
      expect(chromiumProcessesLeft(pids, dirs)).toEqual([]);
      for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    }, 60_000);

    it('kills a hung browser after the time limit', async () => {
      const { renderer, module } = await startRenderer();
      const pids: number[] = [];

      try {
        await renderer.render('<p>Warm-up</p>', { format: 'A4' });
        const hung = renderer.stats().browserProcessId as number;
        pids.push(hung);

        const stalled = renderer.render(largeDocument(6_000), { format: 'A4', timeoutMs: 1_500 });
        await waitUntil(() => renderer.stats().openPages === 1, 5_000, 'the render to open its page');
        // A stopped browser sends no protocol responses, so the page close after the timeout cannot finish.
        process.kill(hung, 'SIGSTOP');

        await expect(stalled).rejects.toBeInstanceOf(PdfRenderTimeoutError);
        await waitUntil(() => chromiumProcessesLeft([hung], []).length === 0, 5_000, 'the hung browser to be killed');

        const text = await pdfText(await renderer.render('<p>Fresh browser</p>', { format: 'A4' }));
        expect(text).toContain('Fresh browser');
        const fresh = renderer.stats().browserProcessId as number;
        pids.push(fresh);
        expect(fresh).not.toBe(hung);
        expect(renderer.stats().browserRestarts).toBe(1);
      } finally {
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGCONT');
          } catch {
            // already gone
          }
        }
        await module.close();
      }

      await waitUntil(() => chromiumProcessesLeft(pids, []).length === 0, 5_000, 'Chromium processes to exit');
    }, 60_000);
  });

  it('reports a missing Chromium as retryable', async () => {
    const missing = join(tmpdir(), `no-chromium-${randomUUID()}`);
    const { renderer, module } = await startRenderer({ CHROMIUM_PATH: missing });

    try {
      const failure = renderer.render('<p>x</p>', { format: 'A4' });
      await expect(failure).rejects.toBeInstanceOf(PdfBrowserLaunchError);
      await expect(failure).rejects.toThrow(`Chromium failed to start from CHROMIUM_PATH=${missing}`);
      await expect(failure).rejects.toMatchObject({ retryable: true });
      expect(renderer.stats().failures).toBe(1);
    } finally {
      await module.close();
    }
  });

  it('rejects renders after module close', async () => {
    const { renderer, module } = await startRenderer();
    await module.close();

    const failure = renderer.render('<p>x</p>', { format: 'A4' });
    await expect(failure).rejects.toBeInstanceOf(PdfRenderError);
    await expect(failure).rejects.toMatchObject({ retryable: true });
  });
});
