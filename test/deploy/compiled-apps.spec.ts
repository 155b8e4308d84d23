import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { freePort, stopAppProcess } from '../support/app-process';
import { adminPool, provisionTestTenant } from '../support/fixtures';
import { REPOSITORY_ROOT } from './support/chart';

/**
 * Builds the apps as the Dockerfile does (`npm run build`) and starts them
 * from dist/ through the image's entry point, with NODE_ENV=production.
 */
const ENTRYPOINT = join(REPOSITORY_ROOT, 'scripts', 'docker-entrypoint.sh');
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/portal_test';

let storageDir = '';
const running: ChildProcess[] = [];

function productionEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    APP_ROOT: REPOSITORY_ROOT,
    NODE_ENV: 'production',
    LISTEN_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    SESSION_SECRET: 'compiled-apps-test-session-secret-0123456789',
    WEBHOOK_SECRET_KEY: 'ab'.repeat(32),
    // Free ports, since other processes on the machine may hold the default metrics ports.
    PORTAL_METRICS_PORT: '0',
    CONSOLE_METRICS_PORT: '0',
    WORKER_METRICS_PORT: '0',
    STORAGE_LOCAL_DIR: storageDir,
    ...extra,
  };
}

/** Lists the files under a folder, relative to the repository root. */
function filesUnder(folder: string): string[] {
  return readdirSync(join(REPOSITORY_ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(REPOSITORY_ROOT, join(entry.parentPath, entry.name)));
}

/** Starts one app through the entry point and waits until GET /health returns 200. */
async function startCompiled(app: 'portal' | 'console' | 'worker'): Promise<number> {
  const port = await freePort();
  const portVariable = `${app.toUpperCase()}_PORT`;
  const child = spawn('sh', [ENTRYPOINT, app], { env: productionEnv({ [portVariable]: String(port) }), stdio: ['ignore', 'ignore', 'pipe'] });
  running.push(child);
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}: ${errors}`);
    const status = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return port;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${app} did not return 200 on /health within 30 seconds: ${errors}`);
}

/** Sends GET with a Host header, which fetch() does not let a caller set. */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

beforeAll(() => {
  storageDir = mkdtempSync(join(tmpdir(), 'compiled-apps-storage-'));
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPOSITORY_ROOT, stdio: 'pipe' });
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map((child) => stopAppProcess(child)));
  rmSync(storageDir, { recursive: true, force: true });
});

describe('compiled build', () => {
  it('copies every template and static file to dist', () => {
    const assets = ['apps/portal/src', 'apps/console/src', 'apps/worker/src']
      .flatMap(filesUnder)
      .filter((file) => !file.endsWith('.ts'));

    expect(assets.length).toBeGreaterThan(50);
    expect(assets.filter((file) => !existsSync(join(REPOSITORY_ROOT, 'dist', file)))).toEqual([]);
  });

  it('migrates through the entry point', () => {
    const result = spawnSync('sh', [ENTRYPOINT, 'migrate'], { env: productionEnv(), encoding: 'utf8' });

    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Database is up to date');
    expect(result.status).toBe(0);
  });

  it('rejects an unknown command', () => {
    const result = spawnSync('sh', [ENTRYPOINT, 'serve'], { env: productionEnv(), encoding: 'utf8' });

    expect(result.status).toBe(64);
    expect(result.stderr).toContain('unknown command "serve"');
  });

  it('serves the portal from dist', async () => {
    const port = await startCompiled('portal');
    const pool = adminPool();
    const tenant = await provisionTestTenant(pool, 'dist').finally(() => pool.end());
    const login = await getWithHost(port, '/login', `${tenant.slug}.localhost`);
    const theme = await getWithHost(port, '/branding/theme.css', `${tenant.slug}.localhost`);
    const unknownTenant = await getWithHost(port, '/login', 'nobody.localhost');

    expect(login.status).toBe(200);
    expect(login.body).toContain('name="_csrf"');
    expect(theme.status).toBe(200);
    expect(unknownTenant.status).toBe(404);
  }, 40_000);

  it('serves console pages and assets from dist', async () => {
    const port = await startCompiled('console');
    const login = await getWithHost(port, '/login', 'console.localhost');
    const stylesheet = await getWithHost(port, '/assets/console.css', 'console.localhost');

    expect(login.status).toBe(200);
    expect(login.body).toContain('Staff sign-in');
    expect(stylesheet.status).toBe(200);
  }, 40_000);

  it('starts the worker from dist', async () => {
    const port = await startCompiled('worker');
    const health = await fetch(`http://127.0.0.1:${port}/health`);

    expect(((await health.json()) as { status: string }).status).toBe('ok');
  }, 40_000);
});
