import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody } from '../support/api-bodies';
import { freePort, stopAppProcess } from '../support/app-process';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';

/** Starts the console as a real process and collects every line it writes to stdout. */
function startConsoleProcess(port: number, lines: string[]): ChildProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '../../apps/console/src/main.ts')], {
    env: { ...process.env, CONSOLE_PORT: String(port), CONSOLE_METRICS_PORT: '0', SHUTDOWN_DRAIN_DELAY_MS: '0', LISTEN_HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.length > 0));
  });
  return child;
}

describe('API server errors', () => {
  const lines: string[] = [];
  let child: ChildProcess;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let key: string;
  let trigger: string;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'api-500', 1);
    key = await insertApiKey(admin, tenant.tenantId, 'read_write');
    // A trigger that fails one external id simulates an unexpected database failure.
    trigger = `api_500_${tenant.tenantId.replace(/-/g, '')}`;
    await admin.query(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'internal detail from the database'; END $$`);
    await admin.query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON customer_companies FOR EACH ROW
      WHEN (NEW.external_id = 'explode' AND NEW.tenant_id = '${tenant.tenantId}') EXECUTE FUNCTION ${trigger}()`);
    port = await freePort();
    child = startConsoleProcess(port, lines);
    await new Promise<void>((resolve, reject) => {
      child.once('message', (message) => (message === 'listening' ? resolve() : reject(new Error(String(message)))));
      child.once('exit', (code) => reject(new Error(`console exited with ${code}`)));
    });
  }, 60_000);

  afterAll(async () => {
    await stopAppProcess(child);
    await admin.query(`DROP TRIGGER IF EXISTS ${trigger} ON customer_companies`);
    await admin.query(`DROP FUNCTION IF EXISTS ${trigger}()`);
    await admin.end();
  });

  it('500 returns a logged error id only', async () => {
    const response = await apiRequest(port, 'PUT', '/api/v1/customer-companies/explode', { key, body: companyBody() });

    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const errorId = response.json.error.errorId as string;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.text).not.toMatch(/internal detail|plpgsql|at [A-Za-z.]+ \(/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.errorId === errorId);
    expect(logged).toMatchObject({ msg: 'unhandled API error', tenantId: tenant.tenantId });
  });

  it('logs never contain the key', async () => {
    await apiRequest(port, 'GET', '/api/v1/sites', { key });
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(lines.length).toBeGreaterThan(0);
    const secret = key.split('_')[2];
    expect(lines.filter((line) => line.includes(secret))).toEqual([]);
  });
});
