import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, ApiResponse, insertApiKey } from '../support/api-client';
import { companyBody, invoiceBody } from '../support/api-bodies';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

describe('API input validation', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let key: string;

  const putInvoice = (body: unknown) => apiRequest(port, 'PUT', '/api/v1/invoices/inv-v', { key, body });

  function detailsOf(response: ApiResponse): Record<string, string> {
    return Object.fromEntries((response.json.error.details as Array<{ path: string; reason: string }>).map((d) => [d.path, d.reason]));
  }

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'api-valid', 1);
    key = await insertApiKey(admin, tenant.tenantId, 'read_write');
    ({ app, port } = await startConsole());
    await apiRequest(port, 'PUT', '/api/v1/customer-companies/acme', { key, body: companyBody() });
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  afterEach(async () => {
    // No rejected request may leave a row behind.
    const rows = await admin.query(`SELECT 1 FROM invoices WHERE tenant_id = $1 AND external_id = 'inv-v'`, [tenant.tenantId]);
    expect(rows.rowCount).toBe(0);
  });

  it('malformed JSON is 400', async () => {
    const response = await apiRequest(port, 'PUT', '/api/v1/invoices/inv-v', { key, rawBody: '{"companyExternalId": "acme",' });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json.error.code).toBe('invalid_json');
  });

  it('JSON array body is 400', async () => {
    const response = await apiRequest(port, 'PUT', '/api/v1/invoices/inv-v', { key, rawBody: '[]' });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({ '(body)': 'must be a JSON object' });
  });

  it('unknown fields are named', async () => {
    const body = invoiceBody('acme', 'V-1') as Record<string, unknown>;
    const lines = [...(body.lines as object[])];
    lines[1] = { ...lines[1], colour: 'red' };

    const response = await putInvoice({ ...body, lines, discount: 5 });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({ discount: 'is not a known field', 'lines[1].colour': 'is not a known field' });
  });

  it('constructor and __proto__ fields are named', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const rawBody = `{"name":"p","${name}":{}}`;
      const response = await apiRequest(port, 'PUT', '/api/v1/customer-companies/PROTO', { key, rawBody });

      expect({ name, status: response.status }).toEqual({ name, status: 400 });
      expect({ name, details: response.json.error.details }).toEqual({ name, details: [{ path: name, reason: 'is not a known field' }] });
    }
    const rows = await admin.query(`SELECT 1 FROM customer_companies WHERE tenant_id = $1 AND external_id = 'PROTO'`, [tenant.tenantId]);
    expect(rows.rowCount).toBe(0);
  });

  it('constructor and __proto__ parameters are named', async () => {
    for (const name of ['constructor', '__proto__']) {
      const response = await apiRequest(port, 'GET', `/api/v1/customer-companies?${name}=1`, { key });

      expect({ name, status: response.status }).toEqual({ name, status: 400 });
      expect({ name, details: response.json.error.details }).toEqual({ name, details: [{ path: name, reason: 'is not a known parameter' }] });
    }
  });

  it('wrong types are named', async () => {
    const body = invoiceBody('acme', 'V-2');

    const response = await putInvoice({ ...body, totalMinor: '22000', number: 7, lines: [{ ...body.lines[0], quantity: true }] });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({
      totalMinor: 'must be a number, got string',
      number: 'must be a string, got number',
      'lines[0].quantity': 'must be a number, got boolean',
    });
  });

  it('negative and fractional money is named', async () => {
    const body = invoiceBody('acme', 'V-3');
    const lines = [body.lines[0], body.lines[1], { ...body.lines[1], unitPriceMinor: -1 }];

    const response = await putInvoice({ ...body, taxMinor: 12.5, lines });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({
      taxMinor: 'must be an integer number of minor units',
      'lines[2].unitPriceMinor': 'must not be negative',
    });
  });

  it('impossible dates are named', async () => {
    const body = invoiceBody('acme', 'V-4');

    const response = await putInvoice({ ...body, issuedOn: '2026-02-30', payments: [{ ...body.payments[0], paidOn: '2026-13-01' }] });

    expect(response.status).toBe(400);
    const details = detailsOf(response);
    expect(details.issuedOn).toMatch(/calendar date/);
    expect(details['payments[0].paidOn']).toMatch(/calendar date/);
  });

  it('due date before issue date is named', async () => {
    const response = await putInvoice({ ...invoiceBody('acme', 'V-5'), dueOn: '2025-12-31' });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({ dueOn: 'must not be before issuedOn' });
  });

  it('bad currency is named', async () => {
    const response = await putInvoice({ ...invoiceBody('acme', 'V-6'), currency: 'usd' });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({ currency: expect.stringContaining('ISO 4217') });
  });

  it('inconsistent money is named', async () => {
    const body = invoiceBody('acme', 'V-9');
    const lines = [body.lines[0], { ...body.lines[1], amountMinor: 4999 }];

    const response = await putInvoice({ ...body, subtotalMinor: 5, taxMinor: 5, totalMinor: 1, payments: [], lines });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({
      totalMinor: 'must equal subtotalMinor + taxMinor, which is 10',
      'lines[1].amountMinor': 'must equal quantity × unitPriceMinor rounded half up, which is 5000',
    });
  });

  it('money over the cap is named', async () => {
    const body = invoiceBody('acme', 'V-10');
    const huge = Number.MAX_SAFE_INTEGER;

    const response = await putInvoice({ ...body, subtotalMinor: huge - 2000, totalMinor: huge, payments: [] });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({
      subtotalMinor: 'must be at most 1000000000000000 minor units',
      totalMinor: 'must be at most 1000000000000000 minor units',
    });
  });

  it.each(['XXX', 'XTS', 'XDR', 'XAU', 'QQQ'])('currency %s is rejected', async (code) => {
    const response = await putInvoice({ ...invoiceBody('acme', 'V-11'), currency: code });

    expect(response.status).toBe(400);
    expect(Object.keys(detailsOf(response))).toEqual(['currency']);
  });

  it('real X currency and rounded line are accepted', async () => {
    const body = invoiceBody('acme', 'V-12');
    // 1.005 × 999 = 1003.995, which rounds half up to 1004.
    const lines = [{ description: 'Filter', quantity: 1.005, unitPriceMinor: 999, amountMinor: 1004 }];
    const accepted = { ...body, currency: 'XOF', subtotalMinor: 1004, taxMinor: 0, totalMinor: 1004, payments: [], lines };

    const response = await apiRequest(port, 'PUT', '/api/v1/invoices/inv-xof', { key, body: accepted });

    expect([200, 201]).toContain(response.status);
    const rows = await admin.query(`SELECT currency, total_minor FROM invoices WHERE tenant_id = $1 AND external_id = 'inv-xof'`, [tenant.tenantId]);
    expect(rows.rows).toEqual([{ currency: 'XOF', total_minor: '1004' }]);
  });

  it('strings too long are named', async () => {
    const response = await putInvoice({ ...invoiceBody('acme', 'V-7'), number: 'N'.repeat(51), notes: 'x'.repeat(5001) });

    expect(response.status).toBe(400);
    expect(detailsOf(response)).toEqual({ number: 'must be at most 50 characters', notes: 'must be at most 5000 characters' });
  });

  it('missing required fields are named', async () => {
    const response = await putInvoice({ companyExternalId: 'acme' });

    expect(response.status).toBe(400);
    expect(Object.keys(detailsOf(response)).sort()).toEqual(
      ['currency', 'dueOn', 'issuedOn', 'number', 'subtotalMinor', 'taxMinor', 'totalMinor'].sort(),
    );
  });

  it('malformed external id in the path is 400', async () => {
    const response = await apiRequest(port, 'PUT', '/api/v1/invoices/has%20space', { key, body: invoiceBody('acme', 'V-8') });

    expect(response.status).toBe(400);
    expect(Object.keys(detailsOf(response))).toEqual(['externalId']);
  });

  it('body over 1 MB is 413', async () => {
    const response = await putInvoice({ ...invoiceBody('acme', 'V-9'), notes: 'x'.repeat(1_100_000) });

    expect(response.status).toBe(413);
    expect(response.json.error.code).toBe('payload_too_large');
  });

  it('form-encoded body is 415', async () => {
    const response = await apiRequest(port, 'PUT', '/api/v1/invoices/inv-v', {
      key,
      rawBody: 'number=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(response.status).toBe(415);
    expect(response.json.error.code).toBe('unsupported_media_type');
  });

  it('unknown resource and route are JSON 404', async () => {
    for (const path of ['/api/v1/service-requests/sr-1', '/api/v1/invoices/a/b', '/api/v1/']) {
      const response = await apiRequest(port, 'GET', path, { key });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect({ path, type: response.headers['content-type'] }).toEqual({ path, type: expect.stringMatching(/^application\/json/) });
    }
  });

  it('service requests are not writable', async () => {
    const response = await apiRequest(port, 'PUT', '/api/v1/service-requests/sr-1', { key, body: {} });

    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe('not_found');
  });
});
