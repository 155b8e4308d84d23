import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const APPS = ['portal', 'console', 'worker'] as const;

/** Starts an app's entry point with exactly `env` (plus PATH) and returns its exit code and error output. */
function startWith(app: (typeof APPS)[number], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, `apps/${app}/src/main.ts`)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const PRODUCTION = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' };

describe('configuration checked at start', () => {
  it.each(APPS)('%s exits naming a missing DATABASE_URL', async (app) => {
    const { code, stderr } = await startWith(app, { ...PRODUCTION, REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL is missing');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it.each(APPS)('%s exits naming a malformed REDIS_URL', async (app) => {
    const { code, stderr } = await startWith(app, {
      ...PRODUCTION,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none',
      REDIS_URL: 'redis//no-scheme',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('REDIS_URL must be a URL');
  }, 30_000);

  it('names every problem in one message', async () => {
    const { code, stderr } = await startWith('portal', { NODE_ENV: 'production', REDIS_URL: 'http://cache' });
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL is missing');
    expect(stderr).toContain('SESSION_SECRET is missing');
    expect(stderr).toContain('REDIS_URL must use redis: or rediss:');
  }, 30_000);
});
