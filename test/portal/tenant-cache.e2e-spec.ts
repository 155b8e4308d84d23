import type { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { Pool } from 'pg';

import type { TenantContext } from '../../libs/tenancy/src/tenant-context';
import { publishTenantChange, TenantResolver } from '../../libs/tenancy/src/tenant-resolver.service';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { rawRequest, startPortal } from '../support/portal-harness';

describe('tenant cache across portal instances', () => {
  let first: { app: NestExpressApplication; port: number };
  let second: { app: NestExpressApplication; port: number };
  let admin: Pool;
  let redis: Redis;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    tenant = await provisionTestTenant(admin, 'cache');
    first = await startPortal();
    second = await startPortal();
  });

  afterAll(async () => {
    await first.app.close();
    await second.app.close();
    await admin.end();
    await redis.quit();
  });

  const loginPage = (port: number, host = `${tenant.slug}.localhost`) => rawRequest(port, host, '/login');

  it('applies a branding change in every instance at once', async () => {
    expect((await loginPage(first.port)).body).toContain(`Brand ${tenant.slug}`);
    expect((await loginPage(second.port)).body).toContain(`Brand ${tenant.slug}`);

    await admin.query("UPDATE brandings SET company_name = 'Renamed Co', version = version + 1 WHERE tenant_id = $1", [
      tenant.tenantId,
    ]);
    // The cache keeps the old branding until a change is published.
    expect((await loginPage(first.port)).body).toContain(`Brand ${tenant.slug}`);

    await publishTenantChange(redis, tenant.tenantId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await loginPage(first.port)).body).toContain('Renamed Co');
    expect((await loginPage(second.port)).body).toContain('Renamed Co');
  });

  it('resolves a newly verified domain once announced', async () => {
    const host = `new.${tenant.slug}.test`;
    expect((await loginPage(first.port, host)).status).toBe(404);

    await admin.query('INSERT INTO tenant_domains (tenant_id, hostname, verified_at) VALUES ($1, $2, now())', [
      tenant.tenantId,
      host,
    ]);
    await publishTenantChange(redis, tenant.tenantId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await loginPage(first.port, host)).status).toBe(200);
    expect((await loginPage(second.port, host)).status).toBe(200);
  });

  /** The resolver's private lookup, watched (not replaced) by these tests. */
  type Lookup = { load(host: string): Promise<TenantContext | null> };

  it('shares one lookup among concurrent requests for a host', async () => {
    const resolver = first.app.get(TenantResolver);
    const lookups = jest.spyOn(resolver as unknown as Lookup, 'load');
    try {
      const answers = await Promise.all(Array.from({ length: 25 }, () => resolver.resolve('nobody-shared.localhost')));
      expect(answers.every((answer) => answer === null)).toBe(true);
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });

  it('does not cache an answer that a change overtook', async () => {
    const resolver = first.app.get(TenantResolver);
    const host = `overtaken.${tenant.slug}.test`;
    await admin.query('INSERT INTO tenant_domains (tenant_id, hostname, verified_at) VALUES ($1, $2, now())', [tenant.tenantId, host]);

    const target = resolver as unknown as Lookup;
    const original = target.load.bind(resolver);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const lookups = jest.spyOn(target, 'load').mockImplementation(async (name: string) => {
      const answer = await original(name);
      await gate;
      return answer;
    });
    try {
      const slow = resolver.resolve(host);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The domain is removed and the change published while the lookup still has its old result.
      await admin.query('DELETE FROM tenant_domains WHERE hostname = $1', [host]);
      resolver.forget(tenant.tenantId);
      release();
      expect((await slow)?.id).toBe(tenant.tenantId);
    } finally {
      lookups.mockRestore();
    }
    expect(await resolver.resolve(host)).toBeNull();
  });
});
