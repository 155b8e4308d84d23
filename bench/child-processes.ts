import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Returns the database URL with the user portal_app, the apps' login role. */
export function appUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = 'portal_app';
  parsed.password = '';
  return parsed.toString();
}

/**
 * Forks a TypeScript file of this repository with an IPC channel. Its
 * stdout, where the apps write their pino logs, is discarded.
 */
export function start(script: string, args: string[], env: NodeJS.ProcessEnv, nodeOptions: string[] = []): ChildProcess {
  return fork(join(ROOT, script), args, {
    execArgv: [...nodeOptions, '-r', 'ts-node/register/transpile-only'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/**
 * Waits for the first IPC message of the given type from a child. Fails if
 * the child exits first or nothing arrives within the timeout.
 */
export function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child process exited with code ${code} before it sent "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" message from the child process within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
