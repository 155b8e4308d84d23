import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody } from '../support/api-bodies';
import { adminPool, appPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';
import { asRole } from '../support/roles';

describe('API key authentication', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let apps: Pool;
  let tenant: TestTenant;
  let readKey: string;
  let writeKey: string;

  beforeAll(async () => {
    admin = adminPool();
    apps = appPool();
    tenant = await provisionTestTenant(admin, 'api-auth', 1);
    readKey = await insertApiKey(admin, tenant.tenantId, 'read');
    writeKey = await insertApiKey(admin, tenant.tenantId, 'read_write');
    ({ app, port } = await startConsole());
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
    await apps.end();
  });

  const publicIdOf = (key: string) => key.split('_')[1];

  it('missing, malformed and unknown keys are 401', async () => {
    const wrongSecret = `${writeKey.slice(0, -4)}0000`;
    const unknown = `cpk_${'0'.repeat(24)}_${'1'.repeat(64)}`;
    for (const header of [undefined, 'Bearer', 'Bearer nonsense', `Basic ${writeKey}`, `Bearer ${wrongSecret}`, `Bearer ${unknown}`]) {
      const response = await apiRequest(port, 'GET', '/api/v1/customer-companies', header ? { headers: { authorization: header } } : {});
      expect({ header, status: response.status }).toEqual({ header, status: 401 });
      expect({ header, code: response.json?.error?.code }).toEqual({ header, code: 'invalid_api_key' });
    }
  });

  it('read key reads', async () => {
    const response = await apiRequest(port, 'GET', '/api/v1/customer-companies', { key: readKey });

    expect(response.status).toBe(200);
    expect(response.json.data.length).toBeGreaterThan(0);
  });

  it('read key on a write endpoint is 403', async () => {
    const response = await apiRequest(port, 'PUT', '/api/v1/customer-companies/read-only', { key: readKey, body: companyBody() });

    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe('insufficient_scope');
    const rows = await admin.query(`SELECT 1 FROM customer_companies WHERE external_id = 'read-only'`);
    expect(rows.rowCount).toBe(0);
  });

  it('other letter case is a JSON 404', async () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['GET', '/API/V1/proposals', readKey],
      ['GET', '/API/V1/proposals', undefined],
      ['GET', '/Api/v1/customer-companies', writeKey],
      ['PUT', '/API/V1/customer-companies/upper-case', readKey],
      ['PUT', '/api/V1/customer-companies/upper-case', writeKey],
      ['GET', '/API/V1/openapi.json', undefined],
    ];
    for (const [method, path, key] of cases) {
      const response = await apiRequest(port, method, path, { key, body: method === 'PUT' ? companyBody() : undefined });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      expect({ method, path, type: response.headers['content-type'] }).toEqual({ method, path, type: expect.stringMatching(/^application\/json/) });
      expect({ method, path, code: response.json?.error?.code }).toEqual({ method, path, code: 'not_found' });
    }
    const rows = await admin.query(`SELECT 1 FROM customer_companies WHERE external_id = 'upper-case'`);
    expect(rows.rowCount).toBe(0);
  });

  it('revoked key is 401', async () => {
    const key = await insertApiKey(admin, tenant.tenantId, 'read_write');
    expect((await apiRequest(port, 'GET', '/api/v1/sites', { key })).status).toBe(200);

    await admin.query('UPDATE api_keys SET revoked_at = now() WHERE public_id = $1', [publicIdOf(key)]);
    const response = await apiRequest(port, 'GET', '/api/v1/sites', { key });

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('invalid_api_key');
  });

  it('key of a suspended tenant is 401', async () => {
    const other = await provisionTestTenant(admin, 'api-auth-off', 1);
    const key = await insertApiKey(admin, other.tenantId, 'read');
    await admin.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [other.tenantId]);

    const response = await apiRequest(port, 'GET', '/api/v1/sites', { key });

    expect(response.status).toBe(401);
  });

  it('use is stamped once a minute', async () => {
    const key = await insertApiKey(admin, tenant.tenantId, 'read');
    await apiRequest(port, 'GET', '/api/v1/sites', { key });
    const first = await admin.query<{ last_used_at: Date }>('SELECT last_used_at FROM api_keys WHERE public_id = $1', [publicIdOf(key)]);
    expect(first.rows[0].last_used_at).toBeInstanceOf(Date);

    await admin.query(`UPDATE api_keys SET last_used_at = '2026-01-01T00:00:00Z' WHERE public_id = $1`, [publicIdOf(key)]);
    await apiRequest(port, 'GET', '/api/v1/sites', { key });
    const second = await admin.query<{ last_used_at: Date }>('SELECT last_used_at FROM api_keys WHERE public_id = $1', [publicIdOf(key)]);

    expect(second.rows[0].last_used_at.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('lookup function returns only its columns', async () => {
    const client = await apps.connect();
    try {
      const result = await client.query('SELECT * FROM api_key_credentials($1)', [publicIdOf(readKey)]);
      expect(Object.keys(result.rows[0]).sort()).toEqual(['key_id', 'revoked', 'scope', 'secret_hash', 'tenant_id', 'tenant_slug']);
      await expect(client.query('SELECT * FROM api_keys')).rejects.toThrow(/permission denied/);
    } finally {
      client.release();
    }
  });

  it('request roles cannot run the lookup', async () => {
    for (const role of ['portal_staff', 'portal_customer', 'portal_auth', 'portal_resolver']) {
      const attempt = asRole(apps, role, { tenantId: tenant.tenantId }, (client) =>
        client.query('SELECT * FROM api_key_credentials($1)', [publicIdOf(readKey)]),
      );
      await expect(attempt).rejects.toThrow(/permission denied/);
    }
  });

  it('staff of another tenant see no keys', async () => {
    const other = await provisionTestTenant(admin, 'api-auth-b', 1);

    const rows = await asRole(apps, 'portal_staff', { tenantId: other.tenantId }, (client) => client.query('SELECT id FROM api_keys'));

    expect(rows.rowCount).toBe(0);
  });
});
