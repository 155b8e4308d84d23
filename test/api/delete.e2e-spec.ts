import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody, invoiceBody, siteBody } from '../support/api-bodies';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

describe('API deletes', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenantA: TestTenant;
  let tenantB: TestTenant;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    admin = adminPool();
    tenantA = await provisionTestTenant(admin, 'api-del-a', 1);
    tenantB = await provisionTestTenant(admin, 'api-del-b', 1);
    keyA = await insertApiKey(admin, tenantA.tenantId, 'read_write');
    keyB = await insertApiKey(admin, tenantB.tenantId, 'read_write');
    ({ app, port } = await startConsole());
    for (const key of [keyA, keyB]) {
      await apiRequest(port, 'PUT', '/api/v1/customer-companies/acme', { key, body: companyBody() });
      await apiRequest(port, 'PUT', '/api/v1/sites/plant', { key, body: siteBody('acme') });
    }
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  const invoiceRows = (tenantId: string, externalId: string) =>
    admin.query('SELECT 1 FROM invoices WHERE tenant_id = $1 AND external_id = $2', [tenantId, externalId]);

  it('delete removes the row and its details', async () => {
    const created = await apiRequest(port, 'PUT', '/api/v1/invoices/inv-del', { key: keyA, body: invoiceBody('acme', 'DEL-1') });

    const deleted = await apiRequest(port, 'DELETE', '/api/v1/invoices/inv-del', { key: keyA });

    expect(deleted.status).toBe(204);
    expect((await invoiceRows(tenantA.tenantId, 'inv-del')).rowCount).toBe(0);
    const lines = await admin.query('SELECT 1 FROM invoice_lines WHERE invoice_id = $1', [created.json.id]);
    expect(lines.rowCount).toBe(0);
    expect((await apiRequest(port, 'DELETE', '/api/v1/invoices/inv-del', { key: keyA })).status).toBe(404);
  });

  it("key of A cannot delete B's row", async () => {
    await apiRequest(port, 'PUT', '/api/v1/invoices/inv-b', { key: keyB, body: invoiceBody('acme', 'B-1') });

    const attempt = await apiRequest(port, 'DELETE', '/api/v1/invoices/inv-b', { key: keyA });

    expect(attempt.status).toBe(404);
    expect((await invoiceRows(tenantB.tenantId, 'inv-b')).rowCount).toBe(1);
  });

  it('read key cannot delete', async () => {
    const readKey = await insertApiKey(admin, tenantA.tenantId, 'read');
    await apiRequest(port, 'PUT', '/api/v1/invoices/inv-keep', { key: keyA, body: invoiceBody('acme', 'KEEP-1') });

    const attempt = await apiRequest(port, 'DELETE', '/api/v1/invoices/inv-keep', { key: readKey });

    expect(attempt.status).toBe(403);
    expect((await invoiceRows(tenantA.tenantId, 'inv-keep')).rowCount).toBe(1);
  });

  it('referenced equipment is 409', async () => {
    const equipment = { companyExternalId: 'acme', siteExternalId: 'plant', name: 'Pump', category: 'Pumps' };
    await apiRequest(port, 'PUT', '/api/v1/equipment/pump', { key: keyA, body: equipment });
    await apiRequest(port, 'PUT', '/api/v1/work-orders/wo-1', {
      key: keyA,
      body: {
        companyExternalId: 'acme',
        siteExternalId: 'plant',
        equipmentExternalId: 'pump',
        number: 'WO-1',
        title: 'Service pump',
        workType: 'maintenance',
        status: 'scheduled',
        scheduledStart: '2026-03-01T08:00:00Z',
      },
    });

    const attempt = await apiRequest(port, 'DELETE', '/api/v1/equipment/pump', { key: keyA });

    expect(attempt.status).toBe(409);
    expect(attempt.json.error.details).toEqual([{ path: 'externalId', reason: expect.stringContaining('referred to') }]);
    expect(attempt.text).not.toMatch(/foreign key|constraint/i);
  });
});
