import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody, invoiceBody, siteBody } from '../support/api-bodies';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

describe('API tenant isolation', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenantA: TestTenant;
  let tenantB: TestTenant;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    admin = adminPool();
    tenantA = await provisionTestTenant(admin, 'api-iso-a', 1);
    tenantB = await provisionTestTenant(admin, 'api-iso-b', 1);
    keyA = await insertApiKey(admin, tenantA.tenantId, 'read_write');
    keyB = await insertApiKey(admin, tenantB.tenantId, 'read_write');
    ({ app, port } = await startConsole());

    // Both tenants use the same external ids for their own rows.
    for (const [key, name] of [
      [keyA, 'Company of A'],
      [keyB, 'Company of B'],
    ]) {
      expect((await apiRequest(port, 'PUT', '/api/v1/customer-companies/shared-id', { key, body: companyBody(name) })).status).toBe(201);
      expect((await apiRequest(port, 'PUT', '/api/v1/sites/site-1', { key, body: siteBody('shared-id') })).status).toBe(201);
      expect((await apiRequest(port, 'PUT', '/api/v1/invoices/inv-1', { key, body: invoiceBody('shared-id', 'INV-1') })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  it('same external id stays separate per tenant', async () => {
    const rows = await admin.query<{ tenant_id: string; name: string }>(
      `SELECT tenant_id, name FROM customer_companies WHERE external_id = 'shared-id' AND tenant_id = ANY($1) ORDER BY name`,
      [[tenantA.tenantId, tenantB.tenantId]],
    );
    expect(rows.rows).toEqual([
      { tenant_id: tenantA.tenantId, name: 'Company of A' },
      { tenant_id: tenantB.tenantId, name: 'Company of B' },
    ]);
  });

  it('reading by id returns only own row', async () => {
    const fromA = await apiRequest(port, 'GET', '/api/v1/customer-companies/shared-id', { key: keyA });
    const fromB = await apiRequest(port, 'GET', '/api/v1/customer-companies/shared-id', { key: keyB });
    expect(fromA.json.name).toBe('Company of A');
    expect(fromB.json.name).toBe('Company of B');
  });

  it('lists hold no row of the other tenant', async () => {
    const companyIdsOfB = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1', [tenantB.tenantId]);
    const invoiceIdsOfB = await admin.query<{ id: string }>('SELECT id FROM invoices WHERE tenant_id = $1', [tenantB.tenantId]);
    const foreign = new Set([...companyIdsOfB.rows, ...invoiceIdsOfB.rows].map((row) => row.id));

    for (const resource of ['customer-companies', 'invoices', 'sites', 'portal-users', 'equipment']) {
      const page = await apiRequest(port, 'GET', `/api/v1/${resource}?limit=200`, { key: keyA });
      expect({ resource, status: page.status }).toEqual({ resource, status: 200 });
      const ids = (page.json.data as Array<{ id: string }>).map((row) => row.id);
      expect({ resource, foreign: ids.filter((id) => foreign.has(id)) }).toEqual({ resource, foreign: [] });
    }
    const invoices = await apiRequest(port, 'GET', '/api/v1/invoices?limit=200', { key: keyA });
    const expected = await admin.query('SELECT 1 FROM invoices WHERE tenant_id = $1', [tenantA.tenantId]);
    expect(invoices.json.data).toHaveLength(expected.rowCount!);
  });

  it('row only in tenant B is 404 for key A', async () => {
    await apiRequest(port, 'PUT', '/api/v1/customer-companies/only-in-b', { key: keyB, body: companyBody('B only') });

    const read = await apiRequest(port, 'GET', '/api/v1/customer-companies/only-in-b', { key: keyA });
    expect(read.status).toBe(404);
    expect(read.json.error.code).toBe('not_found');
  });

  it("reference to B's company is 422", async () => {
    const write = await apiRequest(port, 'PUT', '/api/v1/sites/site-in-a', { key: keyA, body: siteBody('only-in-b') });

    expect(write.status).toBe(422);
    expect(write.json.error.details).toEqual([{ path: 'companyExternalId', reason: expect.stringContaining('only-in-b') }]);
    const rows = await admin.query(`SELECT 1 FROM sites WHERE external_id = 'site-in-a'`);
    expect(rows.rowCount).toBe(0);
  });

  it("write with A's key leaves B unchanged", async () => {
    const before = await admin.query('SELECT name, updated_at FROM customer_companies WHERE tenant_id = $1 AND external_id = $2', [
      tenantB.tenantId,
      'shared-id',
    ]);

    const write = await apiRequest(port, 'PUT', '/api/v1/customer-companies/shared-id', { key: keyA, body: companyBody('Renamed by A') });

    expect(write.status).toBe(200);
    const after = await admin.query('SELECT name, updated_at FROM customer_companies WHERE tenant_id = $1 AND external_id = $2', [
      tenantB.tenantId,
      'shared-id',
    ]);
    expect(after.rows).toEqual(before.rows);
  });

  it("site of another company in the same tenant is 422", async () => {
    await apiRequest(port, 'PUT', '/api/v1/customer-companies/second', { key: keyA, body: companyBody('Second company') });

    const write = await apiRequest(port, 'PUT', '/api/v1/equipment/eq-x', {
      key: keyA,
      body: { companyExternalId: 'second', siteExternalId: 'site-1', name: 'Pump', category: 'Fire pump' },
    });

    expect(write.status).toBe(422);
    expect(write.json.error.details).toEqual([{ path: 'siteExternalId', reason: expect.stringContaining('another customer company') }]);
  });
});
