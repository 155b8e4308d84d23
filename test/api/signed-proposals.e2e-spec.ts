import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody } from '../support/api-bodies';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

function proposalBody(companyExternalId: string, terms = 'Net 30') {
  return {
    companyExternalId,
    number: 'PR-SIGNED',
    title: 'Replace gauges',
    issuedOn: '2026-01-03',
    validUntil: '2099-02-03',
    currency: 'USD',
    subtotalMinor: 7500,
    taxMinor: 0,
    totalMinor: 7500,
    terms,
    shared: true,
    lines: [{ description: 'Gauge', quantity: 3, unitPriceMinor: 2500, amountMinor: 7500, isOptional: false }],
  };
}

describe('API writes to a signed proposal', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let key: string;

  const put = (path: string, body: unknown) => apiRequest(port, 'PUT', `/api/v1/${path}`, { key, body });

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'api-signed', 1);
    key = await insertApiKey(admin, tenant.tenantId, 'read_write');
    ({ app, port } = await startConsole());
    expect((await put('customer-companies/acme', companyBody())).status).toBe(201);
    expect((await put('customer-companies/other', companyBody('Other Facilities'))).status).toBe(201);
    expect((await put('proposals/pr-signed', proposalBody('acme'))).status).toBe(201);
    // Signed as the portal records it: a fingerprint of what the customer saw.
    await admin.query(
      `UPDATE proposals SET status = 'accepted', responded_at = now(), response_name = 'Pat Signer', response_hash = $3
       WHERE tenant_id = $1 AND external_id = $2`,
      [tenant.tenantId, 'pr-signed', 'a'.repeat(64)],
    );
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  async function stored() {
    const result = await admin.query('SELECT terms, company_id, total_minor FROM proposals WHERE tenant_id = $1 AND external_id = $2', [
      tenant.tenantId,
      'pr-signed',
    ]);
    return result.rows[0];
  }

  it.each([
    ['new terms', proposalBody('acme', 'Net 90')],
    ['another company', proposalBody('other')],
    ['new prices', { ...proposalBody('acme'), subtotalMinor: 17500, totalMinor: 17500, lines: [{ description: 'Gauge', quantity: 7, unitPriceMinor: 2500, amountMinor: 17500, isOptional: false }] }],
  ])('rejects %s with 409', async (_case, body) => {
    const before = await stored();
    const response = await put('proposals/pr-signed', body);
    expect(response.status).toBe(409);
    expect(response.json.error.details).toEqual([{ path: 'externalId', reason: expect.stringContaining('signed in the portal') }]);
    expect(await stored()).toEqual(before);
  });

  it('accepts the unchanged body', async () => {
    const response = await put('proposals/pr-signed', proposalBody('acme'));
    expect(response.status).toBe(200);
  });
});
