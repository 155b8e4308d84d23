import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody } from '../support/api-bodies';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

describe('API writes in the activity log', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let key: string;

  const call = (method: string, body?: unknown) => apiRequest(port, method, '/api/v1/customer-companies/logged-co', { key, body });

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'api-log', 1);
    key = await insertApiKey(admin, tenant.tenantId, 'read_write');
    ({ app, port } = await startConsole());
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  async function entries(): Promise<Array<{ action: string; actor_type: string; details: Record<string, unknown> }>> {
    const result = await admin.query(
      `SELECT action, actor_type, details FROM activity_events WHERE tenant_id = $1 AND action LIKE 'integration.record_%' ORDER BY occurred_at, id`,
      [tenant.tenantId],
    );
    return result.rows;
  }

  it('logs creates, changes and deletes, not repeats', async () => {
    expect((await call('PUT', companyBody('Logged Co'))).status).toBe(201);
    expect((await call('PUT', companyBody('Logged Co'))).status).toBe(200);
    expect((await call('PUT', companyBody('Logged Company'))).status).toBe(200);
    expect((await call('DELETE')).status).toBe(204);

    const logged = await entries();
    expect(logged.map((entry) => entry.action)).toEqual([
      'integration.record_created',
      'integration.record_updated',
      'integration.record_deleted',
    ]);
    for (const entry of logged) {
      expect(entry.actor_type).toBe('system');
      expect(entry.details.external_id).toBe('logged-co');
      expect(typeof entry.details.api_key_id).toBe('string');
    }
  });
});
