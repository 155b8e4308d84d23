import type { NestExpressApplication } from '@nestjs/platform-express';
import { connect } from 'node:net';
import Redis from 'ioredis';
import { Pool } from 'pg';

import { publishTenantChange } from '../../libs/tenancy/src/tenant-resolver.service';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PortalClient, rawRequest, startPortal } from '../support/portal-harness';

/** How the portal under test reaches PostgreSQL, when not directly. */
export interface DatabaseRoute {
  /** Starts what the route needs and returns the URL the apps connect with (APP_DATABASE_URL). */
  start(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Defines the portal's isolation tests over HTTP. Run directly, and again
 * with the portal connected through PgBouncer in transaction mode, so a
 * request's tenant settings are shown not to survive on a shared server
 * connection.
 */
export function describePortalIsolation(title: string, route?: DatabaseRoute): void {
  describe(title, () => {
    let app: NestExpressApplication;
    let port: number;
    let admin: Pool;
    let tenantA: TestTenant;
    let tenantB: TestTenant;
    let clientA: PortalClient;

    beforeAll(async () => {
      admin = adminPool();
      tenantA = await provisionTestTenant(admin, 'iso-a');
      tenantB = await provisionTestTenant(admin, 'iso-b');
      if (route) process.env.APP_DATABASE_URL = await route.start();
      ({ app, port } = await startPortal());
      clientA = new PortalClient(port, `${tenantA.slug}.localhost`);
      expect((await clientA.login(tenantA.companies[0].email, TEST_PASSWORD)).status).toBe(303);
    });

    afterAll(async () => {
      await app?.close();
      await admin.end();
      if (route) {
        delete process.env.APP_DATABASE_URL;
        await route.stop();
      }
    });

    async function recordId(tenant: TestTenant, table: string, externalId: string): Promise<string> {
      const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`, [
        tenant.tenantId,
        externalId,
      ]);
      return result.rows[0].id;
    }

    it('rejects tenant A session cookie on B host', async () => {
      const replay = new PortalClient(port, `${tenantB.slug}.localhost`);
      replay.setCookieHeader(clientA.cookieHeader());
      const response = await replay.get('/invoices');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/login?next=%2Finvoices');
    });

    it('keeps A session working after a replay on B', async () => {
      const response = await clientA.get('/invoices');
      expect(response.status).toBe(200);
    });

    it('answers 404 for another company record', async () => {
      const own = await recordId(tenantA, 'invoices', `${tenantA.companies[0].key}-inv-s`);
      const otherCompany = await recordId(tenantA, 'invoices', `${tenantA.companies[1].key}-inv-s`);
      const otherTenant = await recordId(tenantB, 'invoices', `${tenantB.companies[0].key}-inv-s`);
      const unshared = await recordId(tenantA, 'invoices', `${tenantA.companies[0].key}-inv-u`);
      expect((await clientA.get(`/invoices/${own}`)).status).toBe(200);
      expect((await clientA.get(`/invoices/${otherCompany}`)).status).toBe(404);
      expect((await clientA.get(`/invoices/${otherTenant}`)).status).toBe(404);
      expect((await clientA.get(`/invoices/${unshared}`)).status).toBe(404);
    });

    it('treats a missing id like a hidden one', async () => {
      const hidden = await clientA.get(`/invoices/${await recordId(tenantB, 'invoices', `${tenantB.companies[0].key}-inv-s`)}`);
      const missing = await clientA.get('/invoices/00000000-0000-4000-8000-000000000000');
      const malformed = await clientA.get('/invoices/not-a-uuid');
      expect(missing.status).toBe(404);
      expect(malformed.status).toBe(404);
      expect(missing.body).toBe(hidden.body.replace(/[0-9a-f-]{36}/g, (id) => id));
    });

    it.each([
      ['mixed case', (slug: string) => `${slug.toUpperCase()}.LocalHost`],
      ['port', (slug: string) => `${slug}.localhost:3000`],
      ['trailing dot', (slug: string) => `${slug}.localhost.`],
      ['all three', (slug: string) => `${slug.toUpperCase()}.LOCALHOST.:8080`],
    ])('resolves host with %s', async (_case, host) => {
      const response = await rawRequest(port, host(tenantA.slug), '/login');
      expect(response.status).toBe(200);
      expect(response.body).toContain(`Brand ${tenantA.slug}`);
    });

    it('resolves a verified custom domain', async () => {
      const response = await rawRequest(port, `PORTAL.${tenantA.slug}.test`, '/login');
      expect(response.status).toBe(200);
      expect(response.body).toContain(`Brand ${tenantA.slug}`);
    });

    it.each([
      ['unknown slug', 'nobody-here.localhost'],
      ['bare base domain', 'localhost'],
      ['IP literal', '127.0.0.1'],
      ['nested subdomain', `x.${'a'}.localhost`],
      ['bad characters', 'evil.localhost@other'],
      ['empty', ''],
    ])('answers 404 naming no tenant for %s', async (_case, host) => {
      const response = await rawRequest(port, host, '/login');
      expect(response.status).toBe(404);
      expect(response.body).not.toContain(tenantA.slug);
      expect(response.body).not.toContain('Brand');
    });

    /** Sends raw request bytes, for forms a normal HTTP client refuses to produce. */
    function rawBytes(request: Buffer): Promise<number> {
      return new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request));
        let response = '';
        socket.on('data', (chunk) => {
          response += chunk.toString('latin1');
          if (response.includes('\r\n')) {
            socket.destroy();
            resolve(Number(response.split(' ')[1]));
          }
        });
        socket.on('error', reject);
      });
    }

    it('answers 404 for repeated Host headers', async () => {
      const status = await rawBytes(
        Buffer.from(`GET /login HTTP/1.1\r\nHost: ${tenantA.slug}.localhost\r\nHost: ${tenantB.slug}.localhost\r\n\r\n`),
      );
      expect(status).toBe(404);
    });

    it('answers 404 when the request target names another host', async () => {
      const status = await rawBytes(
        Buffer.from(`GET http://${tenantB.slug}.localhost/login HTTP/1.1\r\nHost: ${tenantA.slug}.localhost\r\n\r\n`),
      );
      expect(status).toBe(404);
    });

    it('answers 404 for non-ASCII bytes in Host', async () => {
      const forged = Buffer.concat([
        Buffer.from('GET /login HTTP/1.1\r\nHost: '),
        Buffer.from(tenantA.slug.slice(0, 2)),
        Buffer.from([0xad]),
        Buffer.from(`${tenantA.slug.slice(2)}.localhost\r\n\r\n`),
      ]);
      expect(await rawBytes(forged)).toBe(404);
    });

    it('answers 404 for a port out of range', async () => {
      expect((await rawRequest(port, `${tenantA.slug}.localhost:99999`, '/login')).status).toBe(404);
    });

    it('ignores X-Forwarded-Host from an untrusted client', async () => {
      const response = await rawRequest(port, 'nobody-here.localhost', '/login', {
        headers: { 'x-forwarded-host': `${tenantA.slug}.localhost` },
      });
      expect(response.status).toBe(404);
    });

    it('ends the session of a disabled user at once', async () => {
      const tenant = await provisionTestTenant(admin, 'iso-off');
      const client = new PortalClient(port, `${tenant.slug}.localhost`);
      expect((await client.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
      expect((await client.get('/invoices')).status).toBe(200);

      await admin.query("UPDATE portal_users SET status = 'disabled' WHERE tenant_id = $1 AND email = $2", [
        tenant.tenantId,
        tenant.companies[0].email,
      ]);
      const response = await client.get('/invoices');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/login');

      await admin.query("UPDATE portal_users SET status = 'active' WHERE tenant_id = $1 AND email = $2", [
        tenant.tenantId,
        tenant.companies[0].email,
      ]);
      const after = await client.get('/invoices');
      expect(after.status).toBe(303);
    });

    it('ends the session of a user moved to another company', async () => {
      const tenant = await provisionTestTenant(admin, 'iso-move');
      const client = new PortalClient(port, `${tenant.slug}.localhost`);
      expect((await client.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
      await admin.query(
        `UPDATE portal_users SET company_id = (SELECT id FROM customer_companies WHERE tenant_id = $1 AND external_id = $3)
         WHERE tenant_id = $1 AND email = $2`,
        [tenant.tenantId, tenant.companies[0].email, tenant.companies[1].key],
      );
      expect((await client.get('/invoices')).status).toBe(303);
    });

    it('stops serving a suspended tenant on its custom domain', async () => {
      const tenant = await provisionTestTenant(admin, 'iso-susp');
      const host = `portal.${tenant.slug}.test`;
      expect((await rawRequest(port, host, '/login')).status).toBe(200);

      const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
      try {
        await admin.query("UPDATE tenants SET status = 'suspended' WHERE id = $1", [tenant.tenantId]);
        await publishTenantChange(redis, tenant.tenantId);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await redis.quit();
      }
      expect((await rawRequest(port, host, '/login')).status).toBe(404);
      expect((await rawRequest(port, `${tenant.slug}.localhost`, '/login')).status).toBe(404);
    });

    it('never mixes tenants under concurrent requests', async () => {
      const clientB = new PortalClient(port, `${tenantB.slug}.localhost`);
      expect((await clientB.login(tenantB.companies[0].email, TEST_PASSWORD)).status).toBe(303);
      const clients = [
        { client: clientA, own: tenantA.companies[0].key, other: tenantB.companies[0].key },
        { client: clientB, own: tenantB.companies[0].key, other: tenantA.companies[0].key },
      ];
      const requests = Array.from({ length: 300 }, (_, index) => clients[index % 2]);
      const results = await Promise.all(
        requests.map(async ({ client, own, other }) => {
          const page = await client.get('/invoices');
          return page.status === 200 && page.body.includes(`${own}-INV-1`) && !page.body.includes(`${other}-INV-1`);
        }),
      );
      expect(results.filter((ok) => !ok)).toHaveLength(0);
    });
  });
}
