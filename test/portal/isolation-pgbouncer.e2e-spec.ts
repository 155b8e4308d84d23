import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PgBouncer, startPgBouncer } from '../support/pgbouncer';
import { PortalClient, startPortal } from '../support/portal-harness';
import { describePortalIsolation } from './isolation-suite';

const SERVER_POOL_SIZE = 3;

/** Returns the URL the apps derive by default: portal_app on DATABASE_URL's server and database. */
function appDatabaseUrl(): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.username = 'portal_app';
  url.password = '';
  return url.toString();
}

let bouncer: PgBouncer | undefined;

interface PortalUser {
  client: PortalClient;
  /** The company's key, which its invoice numbers start with. */
  own: string;
  ownInvoice: string;
  /** Invoices of another company and of another tenant. */
  foreignInvoices: string[];
}

describePortalIsolation('portal isolation through PgBouncer', {
  async start() {
    bouncer = await startPgBouncer(process.env.DATABASE_URL!, SERVER_POOL_SIZE);
    return bouncer.urlFor(appDatabaseUrl());
  },
  async stop() {
    await bouncer?.stop();
  },
});

describe('many tenants through PgBouncer in transaction mode', () => {
  let pgbouncer: PgBouncer;
  let portal: NestExpressApplication;
  let port: number;
  let admin: Pool;
  const tenants: TestTenant[] = [];

  beforeAll(async () => {
    admin = adminPool();
    for (let index = 0; index < 6; index += 1) tenants.push(await provisionTestTenant(admin, `bounce${index}`));
    pgbouncer = await startPgBouncer(process.env.DATABASE_URL!, SERVER_POOL_SIZE);
    process.env.APP_DATABASE_URL = pgbouncer.urlFor(appDatabaseUrl());
    // More client connections than server connections, so tenants share servers.
    process.env.DATABASE_POOL_SIZE = '16';
    ({ app: portal, port } = await startPortal());
  }, 120_000);

  afterAll(async () => {
    await portal?.close();
    delete process.env.APP_DATABASE_URL;
    delete process.env.DATABASE_POOL_SIZE;
    await pgbouncer?.stop();
    await admin.end();
  });

  async function idOf(tenant: TestTenant, externalId: string): Promise<string> {
    const result = await admin.query<{ id: string }>('SELECT id FROM invoices WHERE tenant_id = $1 AND external_id = $2', [
      tenant.tenantId,
      externalId,
    ]);
    return result.rows[0].id;
  }

  it('keeps every tenant and company apart under 360 concurrent requests', async () => {
    const users: PortalUser[] = [];
    for (const tenant of tenants) {
      for (const company of tenant.companies) {
        const client = new PortalClient(port, `${tenant.slug}.localhost`);
        expect((await client.login(company.email, TEST_PASSWORD)).status).toBe(303);
        const otherCompany = tenant.companies.find((candidate) => candidate !== company)!;
        const otherTenant = tenants.find((candidate) => candidate !== tenant)!;
        users.push({
          client,
          own: company.key,
          ownInvoice: await idOf(tenant, `${company.key}-inv-s`),
          foreignInvoices: [
            await idOf(tenant, `${otherCompany.key}-inv-s`),
            await idOf(otherTenant, `${otherTenant.companies[0].key}-inv-s`),
          ],
        });
      }
    }

    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 360 }, async (_, index) => {
        const user = users[index % users.length];
        const step = Math.floor(index / users.length) % 3;
        if (step === 0) {
          const page = await user.client.get('/invoices');
          const foreign = users.filter((other) => other.own !== user.own).some((other) => page.body.includes(`${other.own}-INV-`));
          if (page.status !== 200 || !page.body.includes(`${user.own}-INV-1`) || foreign) failures.push(`list ${user.own}`);
        } else if (step === 1) {
          const page = await user.client.get(`/invoices/${user.ownInvoice}`);
          if (page.status !== 200 || !page.body.includes(`${user.own}-INV-1`)) failures.push(`own record ${user.own}`);
        } else {
          for (const id of user.foreignInvoices) {
            const page = await user.client.get(`/invoices/${id}`);
            if (page.status !== 404) failures.push(`foreign record ${id} for ${user.own}: ${page.status}`);
          }
        }
      }),
    );
    expect(failures).toEqual([]);

    const pool = await pgbouncer.pool(new URL(appDatabaseUrl()).pathname.slice(1), 'portal_app');
    expect(pool?.pool_mode).toBe('transaction');
    const servers = ['sv_active', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login'].reduce((sum, column) => sum + Number(pool?.[column] ?? 0), 0);
    expect(servers).toBeGreaterThan(0);
    expect(servers).toBeLessThanOrEqual(SERVER_POOL_SIZE);
    // The portal has more client connections open than PgBouncer has servers, so requests shared them.
    expect(Number(pool?.cl_active ?? 0)).toBeGreaterThan(servers);
  }, 120_000);
});
