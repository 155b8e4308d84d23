import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

const LIMIT = 5;

describe('API rate limit', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  const previousLimit = process.env.API_RATE_LIMIT_PER_MINUTE;

  beforeAll(async () => {
    process.env.API_RATE_LIMIT_PER_MINUTE = String(LIMIT);
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'api-rate', 1);
    ({ app, port } = await startConsole());
  });

  afterAll(async () => {
    if (previousLimit === undefined) delete process.env.API_RATE_LIMIT_PER_MINUTE;
    else process.env.API_RATE_LIMIT_PER_MINUTE = previousLimit;
    await app.close();
    await admin.end();
  });

  /** Waits for the next minute when the current one is nearly over, so a test's requests share one window. */
  async function awayFromWindowEnd(): Promise<void> {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
  }

  it('requests over the limit get 429 with headers', async () => {
    const key = await insertApiKey(admin, tenant.tenantId, 'read');
    await awayFromWindowEnd();
    const statuses: number[] = [];
    let last;
    for (let attempt = 0; attempt < LIMIT + 2; attempt += 1) {
      last = await apiRequest(port, 'GET', '/api/v1/sites', { key });
      statuses.push(last.status);
      expect(last.headers['ratelimit-limit']).toBe(String(LIMIT));
    }

    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last!.headers['ratelimit-remaining']).toBe('0');
    const retryAfter = Number(last!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Number(last!.headers['ratelimit-reset'])).toBe(retryAfter);
    expect(last!.json.error.code).toBe('rate_limited');
  });

  it('each key has its own count', async () => {
    const busy = await insertApiKey(admin, tenant.tenantId, 'read');
    const quiet = await insertApiKey(admin, tenant.tenantId, 'read');
    await awayFromWindowEnd();
    for (let attempt = 0; attempt < LIMIT + 1; attempt += 1) await apiRequest(port, 'GET', '/api/v1/sites', { key: busy });

    const response = await apiRequest(port, 'GET', '/api/v1/sites', { key: quiet });

    expect(response.status).toBe(200);
    expect(response.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
  });
});
