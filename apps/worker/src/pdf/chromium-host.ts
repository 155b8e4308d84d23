import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PinoLogger } from 'nestjs-pino';
import puppeteer, { Browser } from 'puppeteer-core';

import { PdfBrowserLaunchError, PdfRendererClosedError } from './pdf-render-errors';

/** How long a page or browser close may take before Chromium counts as hung and is killed. */
export const CHROMIUM_CLOSE_GRACE_MS = 5_000;

/**
 * Prefix of each browser's temporary profile folder under the system temp
 * directory. The full name adds the worker's host name and process id and a
 * random suffix, so a later worker can tell which folders were left behind.
 */
export const USER_DATA_DIR_PREFIX = 'portal-pdf-chromium-';

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
  // A crashing renderer would otherwise write minidumps under the user's
  // home folder, outside the profile folder that is removed on close.
  '--disable-breakpad',
  '--disable-crash-reporter',
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
    if (this.launches === 0) await this.removeAbandonedProfiles();

    const userDataDir = await mkdtemp(join(tmpdir(), ownProfilePrefix()));
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

  /**
   * Removes profile folders of workers on this host that died without closing
   * their browser, such as after SIGKILL or the out-of-memory killer.
   * Chromium started with a pipe exits when its parent dies, but its profile
   * folder stays. A failure here is logged and does not stop the launch.
   */
  private async removeAbandonedProfiles(): Promise<void> {
    try {
      const names = await readdir(tmpdir());
      const checks = await Promise.all(names.map((name) => isAbandonedProfile(tmpdir(), name)));
      const abandoned = names.filter((_, index) => checks[index]);
      // A browser that lost its parent may still be writing while it shuts down, hence the retries.
      await Promise.all(abandoned.map((name) => rm(join(tmpdir(), name), { recursive: true, force: true, maxRetries: 3 })));
      if (abandoned.length > 0) this.logger.info({ folders: abandoned }, 'removed Chromium profile folders of workers that exited');
    } catch (error) {
      this.logger.warn({ err: error, directory: tmpdir() }, 'removing abandoned Chromium profile folders failed');
    }
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

/** Host names can hold characters that a folder name should not, so anything unusual becomes "_". */
function hostLabel(): string {
  return hostname().replace(/[^A-Za-z0-9.]/g, '_');
}

/** Returns the start of this process's profile folder names, such as `portal-pdf-chromium-worker1-4242-`. */
function ownProfilePrefix(): string {
  return `${USER_DATA_DIR_PREFIX}${hostLabel()}-${process.pid}-`;
}

/**
 * Returns true for a profile folder that a process of this host created and
 * that no longer runs. Folders of other hosts that share the temp directory,
 * and names this code did not write, are never matched.
 */
async function isAbandonedProfile(directory: string, name: string): Promise<boolean> {
  const ownerPrefix = `${USER_DATA_DIR_PREFIX}${hostLabel()}-`;
  if (!name.startsWith(ownerPrefix)) return false;

  // mkdtemp appends six random characters to the prefix.
  const owner = /^(\d+)-[A-Za-z0-9]{6}$/.exec(name.slice(ownerPrefix.length));
  if (!owner) return false;

  const pid = Number(owner[1]);
  if (pid !== process.pid) return !isRunning(pid);

  // A worker restarted in the same container often gets the same process id
  // (1, for example), so a folder with this id that is older than this
  // process belongs to the earlier one. Newer ones belong to this process.
  const startedAtMs = Date.now() - process.uptime() * 1000;
  try {
    return (await stat(join(directory, name))).mtimeMs < startedAtMs;
  } catch {
    return false;
  }
}

/** Signal 0 checks that a process exists; EPERM means it exists under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
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
