import type { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { Pool } from 'pg';

import { publishTenantChange } from '../../libs/tenancy/src/tenant-resolver.service';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { rawRequest, startPortal } from '../support/portal-harness';

describe('portal error pages', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let redis: Redis;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    tenant = await provisionTestTenant(admin, 'errors');
    ({ app, port } = await startPortal());
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
    await redis.quit();
  });

  it('shows an error id and no internals on a 500', async () => {
    // A time zone Intl does not know makes every page fail to render.
    await admin.query("UPDATE tenants SET time_zone = 'Mars/Olympus_Mons' WHERE id = $1", [tenant.tenantId]);
    await publishTenantChange(redis, tenant.tenantId);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const response = await rawRequest(port, `${tenant.slug}.localhost`, '/login');
    expect(response.status).toBe(500);
    expect(response.body).toMatch(/Error id: <code>[0-9a-f-]{36}<\/code>/);
    expect(response.body).not.toMatch(/RangeError|Mars\/Olympus|at [A-Za-z.]+ \(/);
  });

  it('answers an unknown path with a 404 page', async () => {
    const other = await provisionTestTenant(admin, 'errors-ok');
    const response = await rawRequest(port, `${other.slug}.localhost`, '/no/such/page');
    expect(response.status).toBe(404);
    expect(response.body).toContain('Page not found');
  });

  it('rejects an unreadable form body with 415', async () => {
    const other = await provisionTestTenant(admin, 'errors-form');
    const response = await rawRequest(port, `${other.slug}.localhost`, '/login', {
      form: { email: 'a@b.example' },
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-7' },
    });
    expect(response.status).toBe(415);
    expect(response.body).toContain('could not be read');
    expect(response.body).not.toMatch(/at [A-Za-z.]+ \(/);
  });
});
