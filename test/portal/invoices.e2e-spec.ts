import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PortalClient, startPortal } from '../support/portal-harness';

describe('portal invoices', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let client: PortalClient;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'inv');
    ({ app, port } = await startPortal());
    client = new PortalClient(port, `${tenant.slug}.localhost`);
    expect((await client.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  it('lists the shared invoice only', async () => {
    const page = await client.get('/invoices');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`${tenant.companies[0].key}-INV-1`);
    expect(page.body).not.toContain(`${tenant.companies[0].key}-INV-2`);
    expect(page.body).not.toContain(`${tenant.companies[1].key}-INV-1`);
  });

  it('shows money in the tenant locale', async () => {
    const page = await client.get('/invoices');
    // 2 x 100.00 plus 10 % tax, less 50.00 paid.
    expect(page.body).toContain('$220.00');
    expect(page.body).toContain('$170.00');
  });

  it('opens the detail page with lines and payments', async () => {
    const list = await client.get('/invoices');
    const id = /href="\/invoices\/([0-9a-f-]{36})"/.exec(list.body)![1];
    const detail = await client.get(`/invoices/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toContain('Service');
    expect(detail.body).toContain('$50.00');
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('rejects inherited name %s as status', async (status) => {
    const page = await client.get(`/invoices?status=${status}`);
    expect(page.status).toBe(400);
  });

  it('rejects an unknown status filter with 400', async () => {
    const page = await client.get('/invoices?status=everything');
    expect(page.status).toBe(400);
    expect(page.body).toContain('status');
  });
});
