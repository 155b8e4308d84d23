import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody, siteBody } from '../support/api-bodies';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

describe('API list paging', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let key: string;
  let since: string;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'api-page', 1);
    key = await insertApiKey(admin, tenant.tenantId, 'read_write');
    ({ app, port } = await startConsole());
    await apiRequest(port, 'PUT', '/api/v1/customer-companies/acme', { key, body: companyBody() });
    since = new Date().toISOString();
    for (let index = 0; index < 23; index += 1) {
      await apiRequest(port, 'PUT', `/api/v1/sites/site-${index}`, { key, body: siteBody('acme') });
    }
    // Rows written in one transaction share updated_at, so id must break the tie.
    await admin.query(`UPDATE sites SET updated_at = $2 WHERE tenant_id = $1 AND external_id LIKE 'site-1%'`, [
      tenant.tenantId,
      new Date(Date.now() + 1000),
    ]);
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  async function allPages(query: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const cursorParam: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await apiRequest(port, 'GET', `/api/v1/sites?${query}${cursorParam}`, { key });
      expect(response.status).toBe(200);
      ids.push(...(response.json.data as Array<{ externalId: string }>).map((row) => row.externalId));
      cursor = response.json.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    return { ids, pages };
  }

  it('updated_since pages return each row once', async () => {
    const { ids, pages } = await allPages(`limit=5&updated_since=${encodeURIComponent(since)}`);

    const expected = Array.from({ length: 23 }, (_, index) => `site-${index}`).sort();
    expect([...ids].sort()).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(5);
  });

  it('rows come in updatedAt order', async () => {
    const response = await apiRequest(port, 'GET', '/api/v1/sites?limit=200', { key });
    const times = (response.json.data as Array<{ updatedAt: string }>).map((row) => row.updatedAt);

    expect(times).toEqual([...times].sort());
  });

  it('updated_since after every change is empty', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();

    const response = await apiRequest(port, 'GET', `/api/v1/sites?updated_since=${encodeURIComponent(later)}`, { key });

    expect(response.json).toEqual({ data: [], nextCursor: null });
  });

  it('bad parameters are 400 naming them', async () => {
    const cursorOf = (updatedAt: string) =>
      Buffer.from(JSON.stringify([updatedAt, '00000000-0000-0000-0000-000000000000'])).toString('base64url');
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from('["2026-01-01", "x"]').toString('base64url')}`, 'cursor'],
      [`cursor=${cursorOf('2026-13-45T99:99:99.000000Z')}`, 'cursor'],
      [`cursor=${cursorOf('2026-02-30T10:00:00.000000Z')}`, 'cursor'],
      [`cursor=${cursorOf('0000-01-01T00:00:00.000000Z')}`, 'cursor'],
      ['updated_since=yesterday', 'updated_since'],
      ['updated_since=2026-02-30T00:00:00Z', 'updated_since'],
      ['updated_since=0000-01-01T00:00:00Z', 'updated_since'],
      ['updated_since=1969-12-31T23:59:59Z', 'updated_since'],
      ['limit=5&limit=6', 'limit'],
      ['sort=name', 'sort'],
    ];
    for (const [query, parameter] of cases) {
      const response = await apiRequest(port, 'GET', `/api/v1/sites?${query}`, { key });
      const proposals = await apiRequest(port, 'GET', `/api/v1/proposals?${query}`, { key });
      expect({ query, proposals: proposals.status }).toEqual({ query, proposals: 400 });
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      const paths = (response.json.error.details as Array<{ path: string }>).map((detail) => detail.path);
      expect({ query, paths }).toEqual({ query, paths: [parameter] });
    }
  });
});
