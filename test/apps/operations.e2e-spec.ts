import type { ChildProcess } from 'node:child_process';
import { Pool } from 'pg';

import { freePort, startAppProcess, stopAppProcess } from '../support/app-process';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { csrfFrom, rawRequest } from '../support/portal-harness';

/** Returns one sample's value from Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((pair) => labelText.split(',').includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('health and metrics of app processes', () => {
  let admin: Pool;
  let tenant: TestTenant;
  let portal: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let portalPort: number;
  let workerPort: number;
  let portalMetrics: number;
  let workerMetrics: number;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'ops');
    portalMetrics = await freePort();
    workerMetrics = await freePort();
    ({ child: portal, port: portalPort } = await startAppProcess('portal', { PORTAL_METRICS_PORT: String(portalMetrics) }));
    ({ child: worker, port: workerPort } = await startAppProcess('worker', { WORKER_METRICS_PORT: String(workerMetrics) }));
  }, 60_000);

  afterAll(async () => {
    await stopAppProcess(portal);
    await stopAppProcess(worker);
    await admin.end();
  });

  it('portal answers liveness and readiness on any host', async () => {
    const live = await rawRequest(portalPort, 'internal.example', '/health/live');
    expect(live.status).toBe(200);
    expect(JSON.parse(live.body)).toEqual({ status: 'ok' });
    const ready = await rawRequest(portalPort, '10.0.0.7:3000', '/health/ready');
    expect(ready.status).toBe(200);
    const body = JSON.parse(ready.body);
    expect(body.status).toBe('ok');
    expect(body.details.database.status).toBe('up');
    expect(body.details.redis.status).toBe('up');
  });

  it('worker readiness includes the browser', async () => {
    const response = await fetch(`http://127.0.0.1:${workerPort}/health/ready`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.details.browser.status).toBe('up');
  }, 30_000);

  it('portal metrics count requests by route and login failures', async () => {
    const host = `${tenant.slug}.localhost`;
    const page = await rawRequest(portalPort, host, '/login');
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const failed = await rawRequest(portalPort, host, '/login', {
      headers: { cookie },
      form: { _csrf: csrfFrom(page.body), email: 'nobody@ops.example', password: 'wrong-password-123', next: '/' },
    });
    expect(failed.status).toBe(401);
    await rawRequest(portalPort, host, '/invoices/9f0c6a57-1111-4111-8111-111111111111');

    const text = await (await fetch(`http://127.0.0.1:${portalMetrics}/metrics`)).text();
    expect(sample(text, 'http_request_duration_seconds_count', { app: 'portal', method: 'GET', route: '/login', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'login_failures_total', { app: 'portal', reason: 'invalid' })).toBeGreaterThanOrEqual(1);
    // Record ids never become label values.
    expect(text).not.toContain('9f0c6a57');
  });

  it('rare HTTP methods share one metrics label', async () => {
    await rawRequest(portalPort, `${tenant.slug}.localhost`, '/login', { method: 'PROPFIND' });
    const text = await (await fetch(`http://127.0.0.1:${portalMetrics}/metrics`)).text();
    expect(text).toContain('method="OTHER"');
    expect(text).not.toContain('PROPFIND');
  });

  it('a failed readiness check names no internals', async () => {
    const { child, port } = await startAppProcess('worker', { CHROMIUM_PATH: '/nonexistent/chromium-for-test' });
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      const body = await response.text();
      expect(response.status).toBe(503);
      expect(body).toContain('browser is not available');
      expect(body).not.toContain('/nonexistent');
    } finally {
      await stopAppProcess(child);
    }
  }, 60_000);

  it('metrics stay off the public port', async () => {
    const response = await rawRequest(portalPort, `${tenant.slug}.localhost`, '/metrics');
    expect(response.status).not.toBe(200);
    expect(response.body).not.toContain('http_request_duration_seconds');
  });

  it('worker metrics report queue depths and job durations', async () => {
    const text = await (await fetch(`http://127.0.0.1:${workerMetrics}/metrics`)).text();
    expect(sample(text, 'queue_jobs', { queue: 'email', state: 'waiting' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'queue_jobs', { queue: 'documents', state: 'active' })).toBeGreaterThanOrEqual(0);
    expect(text).toContain('# TYPE queue_job_duration_seconds histogram');
    expect(text).toContain('# TYPE pdf_render_duration_seconds histogram');
  });
});
