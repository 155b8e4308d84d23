import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PinoLogger } from 'nestjs-pino';
import puppeteer, { Browser } from 'puppeteer-core';

import { PdfBrowserLaunchError, PdfRendererClosedError } from './pdf-render-errors';

/** How long a page or browser close may take before Chromium counts as hung and is killed. */
export const CHROMIUM_CLOSE_GRACE_MS = 5_000;

/** Prefix of each browser's temporary profile folder under the system temp directory. */
const USER_DATA_DIR_PREFIX = 'portal-pdf-chromium-';

/**
 * Command-line flags for the PDF browser. The first group stops Chromium's
 * own traffic (updates, sync, first-run pages). The last three keep pages off
 * the network where request interception does not look, such as
 * `<link rel="prefetch">` and preconnects. The resolver rule fails every
 * lookup, IP addresses included, and the proxy, whose name cannot resolve,
 * catches whatever skips that rule. Loopback gets no exemption. Checked with
 * Chromium 156.
 */
export const CHROMIUM_FLAGS = [
  // NOTE: the sandbox is off, because Chromium refuses to start as root with
  // it and containers often run the worker as root. Disabled JavaScript and
  // the blocked network then contain tenant HTML, and a renderer exploit
  // would run with the worker's rights.
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  // Container /dev/shm is often 64 MB, which large documents exhaust.
  '--disable-dev-shm-usage',
  '--proxy-server=http://blocked.invalid:9',
  '--proxy-bypass-list=<-loopback>',
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

/** One running Chromium process with its own temporary profile folder. */
export class ChromiumInstance {
  /** Set before a close or kill that the host asked for, so the disconnect is not reported as a crash. */
  exitRequested = false;
  private cleanup?: Promise<void>;

  constructor(
    readonly browser: Browser,
    readonly userDataDir: string,
  ) {}

  get processId(): number | undefined {
    return this.browser.process()?.pid;
  }

  /**
   * Kills the browser's whole process group, so no renderer or zygote
   * outlives it. puppeteer starts Chromium as a group leader on Linux.
   */
  kill(): void {
    const child = this.browser.process();
    if (!child?.pid || hasExited(child)) return;

    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone or was never created, so kill the leader alone.
      child.kill('SIGKILL');
    }
  }

  /** Kills what is left of the process, waits for it to exit and removes the profile folder. Runs once. */
  cleanUp(): Promise<void> {
    this.cleanup ??= this.removeProcessAndProfile();
    return this.cleanup;
  }

  private async removeProcessAndProfile(): Promise<void> {
    const child = this.browser.process();
    this.kill();
    if (child) await waitForExit(child, CHROMIUM_CLOSE_GRACE_MS);
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

/**
 * Keeps one long-lived Chromium for the worker process. It starts on the
 * first request and starts again after a crash, a disconnect or a kill.
 */
export class ChromiumHost {
  private current?: ChromiumInstance;
  private launching?: Promise<ChromiumInstance>;
  private closed = false;
  private readonly instances = new Set<ChromiumInstance>();
  private launches = 0;

  constructor(
    private readonly executablePath: string,
    private readonly launchTimeoutMs: number,
    private readonly logger: PinoLogger,
  ) {}

  /** Browsers started after the first one, each replacing a browser that crashed, disconnected or hung. */
  get restartCount(): number {
    return Math.max(0, this.launches - 1);
  }

  get processId(): number | undefined {
    return this.current?.processId;
  }

  /** Returns the running browser, starting one if none is connected. Concurrent callers share one launch. */
  async acquire(): Promise<ChromiumInstance> {
    if (this.closed) throw new PdfRendererClosedError();
    if (this.current?.browser.connected) return this.current;

    this.launching ??= this.launch().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  /** Kills a browser that stopped responding, so the next acquire() starts a new one. */
  async kill(instance: ChromiumInstance, reason: string): Promise<void> {
    this.logger.warn({ browserPid: instance.processId, reason }, 'killing Chromium');
    instance.exitRequested = true;
    if (this.current === instance) this.current = undefined;
    await instance.cleanUp();
  }

  /** Closes the browser, killing it if the close takes longer than the grace period, and removes every profile folder. */
  async close(): Promise<void> {
    this.closed = true;
    await this.launching?.catch(() => undefined);

    const instance = this.current;
    this.current = undefined;
    if (instance?.browser.connected) {
      instance.exitRequested = true;
      const closed = await settlesWithin(instance.browser.close(), CHROMIUM_CLOSE_GRACE_MS);
      if (!closed) {
        this.logger.warn({ browserPid: instance.processId }, `Chromium did not close within ${CHROMIUM_CLOSE_GRACE_MS} ms, so it is being killed`);
      }
    }

    await Promise.all([...this.instances].map((each) => each.cleanUp()));
  }

  private async launch(): Promise<ChromiumInstance> {
    const userDataDir = await mkdtemp(join(tmpdir(), USER_DATA_DIR_PREFIX));
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath: this.executablePath,
        headless: true,
        // A pipe instead of a debugging port, so no other local process can drive the browser.
        pipe: true,
        userDataDir,
        args: CHROMIUM_FLAGS,
        timeout: this.launchTimeoutMs,
        // Nest's shutdown hooks close the browser, and puppeteer's own signal handlers would race them.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (error) {
      await rm(userDataDir, { recursive: true, force: true });
      this.logger.error({ err: error, executablePath: this.executablePath }, 'Chromium failed to start');
      throw new PdfBrowserLaunchError(this.executablePath, { cause: error });
    }

    const instance = new ChromiumInstance(browser, userDataDir);
    this.instances.add(instance);
    browser.once('disconnected', () => this.handleDisconnect(instance));
    if (!browser.connected) this.handleDisconnect(instance);

    this.launches += 1;
    this.current = instance;
    this.logger.info({ browserPid: instance.processId, restart: this.launches > 1 }, 'Chromium started');
    return instance;
  }

  private handleDisconnect(instance: ChromiumInstance): void {
    if (this.current === instance) this.current = undefined;
    if (!instance.exitRequested) {
      this.logger.warn({ browserPid: instance.processId }, 'Chromium exited or disconnected unexpectedly. The next render starts a new one');
    }

    void instance.cleanUp().then(
      () => this.instances.delete(instance),
      (error: unknown) => this.logger.error({ err: error, userDataDir: instance.userDataDir }, 'Chromium cleanup failed'),
    );
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves true once the process has exited, or false after `ms`. */
function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return settlesWithin(
    new Promise<void>((resolve) => child.once('exit', () => resolve())),
    ms,
  );
}

/** Resolves true if `promise` settles (either way) within `ms`, false otherwise. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );

  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}
