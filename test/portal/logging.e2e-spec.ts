import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PortalClient } from '../support/portal-harness';

const PORT = 4390;

/** Starts the portal as a real process and collects every line it writes to stdout. */
function startPortalProcess(lines: string[]): ChildProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '../../apps/portal/src/main.ts')], {
    env: { ...process.env, PORTAL_PORT: String(PORT), PORTAL_METRICS_PORT: '0', SHUTDOWN_DRAIN_DELAY_MS: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
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

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('portal logs', () => {
  const lines: string[] = [];
  let child: ChildProcess;
  let admin: Pool;
  let tenant: TestTenant;
  let client: PortalClient;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'logs');
    child = startPortalProcess(lines);
    await waitFor(() => lines.some((line) => line.includes('Nest application successfully started')), 30_000);
    client = new PortalClient(PORT, `${tenant.slug}.localhost`);
    await client.login(tenant.companies[0].email, 'wrong-password-for-logs');
    await client.login(tenant.companies[0].email, TEST_PASSWORD);
    await client.get('/invoices');
    await waitFor(() => lines.some((line) => line.includes('"url":"/invoices"')), 5_000);
  }, 60_000);

  afterAll(async () => {
    child.kill('SIGTERM');
    await admin.end();
  });

  it('writes one JSON object per line', () => {
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('tags request lines with request and tenant ids', () => {
    const request = lines.map((line) => JSON.parse(line)).find((entry) => entry.req?.url === '/invoices');
    expect(request.req.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.tenantId).toBe(tenant.tenantId);
    expect(request.res.statusCode).toBe(200);
  });

  it('logs failed logins with the tenant id', () => {
    const failure = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'portal login failed');
    expect(failure.tenantId).toBe(tenant.tenantId);
  });

  it('logs the configuration with secrets masked', () => {
    const entry = lines.map((line) => JSON.parse(line)).find((candidate) => candidate.msg === 'configuration loaded');
    expect(entry.config.PORTAL_PORT).toBe(PORT);
    expect(entry.config.SESSION_SECRET).toBe('[set]');
    expect(entry.config.DATABASE_URL).toBe('[set]');
  });

  it('never logs passwords, cookies or emails', () => {
    const output = lines.join('\n');
    expect(output).not.toContain(TEST_PASSWORD);
    expect(output).not.toContain('wrong-password-for-logs');
    expect(output).not.toContain(tenant.companies[0].email);
    expect(output).not.toContain(client.cookieHeader().split('=')[1]);
  });
});
