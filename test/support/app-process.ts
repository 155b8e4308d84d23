import { ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const PORT_VARIABLES = { portal: 'PORTAL_PORT', console: 'CONSOLE_PORT', worker: 'WORKER_PORT' } as const;

export type AppName = keyof typeof PORT_VARIABLES;

/** Asks the kernel for a loopback port that is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts an app's real entry point in a child process, as the demo command
 * does, and waits until it reports that it listens.
 */
export async function startAppProcess(app: AppName, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = fork(join(ROOT, `apps/${app}/src/main.ts`), [], {
    cwd: ROOT,
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: {
      ...process.env,
      LISTEN_HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      // Several apps may run at once, so each metrics listener takes a free port unless a test names one.
      PORTAL_METRICS_PORT: '0',
      CONSOLE_METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      // Nothing routes traffic to a test's process, so it may stop listening at once.
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      ...env,
      [PORT_VARIABLES[app]]: String(port),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', (message) => (message === 'listening' ? resolve() : reject(new Error(`unexpected message ${String(message)}`))));
    child.once('exit', (code) => reject(new Error(`${app} process exited with ${code}: ${errors}`)));
  });
  return { child, port };
}

/** Stops a child app with SIGTERM, and SIGKILL if it has not exited after five seconds. */
export async function stopAppProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
