import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { hashPassword } from '../../libs/auth/src/passwords';
import { apiRequest } from '../support/api-client';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PortalClient, startConsole } from '../support/portal-harness';

const CONSOLE_HOST = 'console.localhost';
const FULL_KEY = /cpk_[0-9a-f]{24}_[0-9a-f]{64}/;

describe('console API keys', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'keys-page', 1);
    await admin.query(
      `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'Member', 'member', 'active', $3)`,
      [tenant.tenantId, `member@${tenant.slug}.example`, await hashPassword(TEST_PASSWORD)],
    );
    ({ app, port } = await startConsole());
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  async function signIn(email = `owner@${tenant.slug}.example`): Promise<PortalClient> {
    const staff = new PortalClient(port, CONSOLE_HOST);
    const response = await staff.submit('/login', '/login', { workspace: tenant.slug, email, password: TEST_PASSWORD, next: '/' });
    expect(response.status).toBe(303);
    return staff;
  }

  async function createKey(staff: PortalClient, name: string, scope: string) {
    return staff.submit('/settings/api-keys', '/settings/api-keys', { name, scope });
  }

  it('create shows the key once', async () => {
    const owner = await signIn();

    const created = await createKey(owner, 'Dispatch system', 'read_write');

    expect(created.status).toBe(201);
    const fullKey = FULL_KEY.exec(created.body)?.[0];
    expect(fullKey).toBeDefined();
    expect(created.headers['cache-control']).toBe('no-store');
    const listing = await owner.get('/settings/api-keys');
    expect(listing.body).toContain('Dispatch system');
    expect(listing.body).toContain(`${fullKey!.slice(0, 28)}_…`);
    expect(listing.body).not.toMatch(FULL_KEY);
    const stored = await admin.query<{ secret_hash: Buffer; scope: string }>(
      'SELECT secret_hash, scope FROM api_keys WHERE tenant_id = $1 AND name = $2',
      [tenant.tenantId, 'Dispatch system'],
    );
    expect(stored.rows[0].scope).toBe('read_write');
    expect(stored.rows[0].secret_hash.toString('hex')).not.toBe(fullKey!.split('_')[2]);

    const use = await apiRequest(port, 'GET', '/api/v1/customer-companies', { key: fullKey });
    expect(use.status).toBe(200);
  });

  it('revoke stops the key', async () => {
    const owner = await signIn();
    const fullKey = FULL_KEY.exec((await createKey(owner, 'To revoke', 'read')).body)![0];
    const { rows } = await admin.query<{ id: string }>('SELECT id FROM api_keys WHERE tenant_id = $1 AND name = $2', [
      tenant.tenantId,
      'To revoke',
    ]);

    // Revoking takes a second click: the form sits inside a disclosure that asks to confirm.
    const page = await owner.get('/settings/api-keys');
    expect(page.body).toMatch(new RegExp(`<details class="confirm">\\s*<summary[^>]*>Revoke[\\s\\S]*?action="/settings/api-keys/${rows[0].id}/revoke"`));

    const revoked = await owner.submit('/settings/api-keys', `/settings/api-keys/${rows[0].id}/revoke`, {});

    expect(revoked.status).toBe(303);
    expect((await apiRequest(port, 'GET', '/api/v1/sites', { key: fullKey })).status).toBe(401);
    const again = await owner.submit('/settings/api-keys', `/settings/api-keys/${rows[0].id}/revoke`, {});
    expect(again.status).toBe(404);
    const activity = await admin.query<{ action: string; actor_type: string }>(
      `SELECT action, actor_type FROM activity_events WHERE tenant_id = $1 AND subject_id = $2 ORDER BY occurred_at, action`,
      [tenant.tenantId, rows[0].id],
    );
    expect(activity.rows).toEqual([
      { action: 'integration.key_created', actor_type: 'staff' },
      { action: 'integration.key_revoked', actor_type: 'staff' },
    ]);
  });

  it('invalid form is 400 and stores nothing', async () => {
    const owner = await signIn();
    const before = await admin.query('SELECT 1 FROM api_keys WHERE tenant_id = $1', [tenant.tenantId]);

    const response = await createKey(owner, '', 'admin');

    expect(response.status).toBe(400);
    expect(response.body).toContain('The name is required.');
    expect(response.body).toContain('The access must be one of read, read_write.');
    const after = await admin.query('SELECT 1 FROM api_keys WHERE tenant_id = $1', [tenant.tenantId]);
    expect(after.rowCount).toBe(before.rowCount);
  });

  it('members cannot manage keys', async () => {
    const member = await signIn(`member@${tenant.slug}.example`);
    const { rows } = await admin.query<{ id: string }>('SELECT id FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL LIMIT 1', [
      tenant.tenantId,
    ]);
    const home = await member.get('/');

    expect((await member.get('/settings/api-keys')).status).toBe(403);
    expect((await member.submit('/', '/settings/api-keys', { name: 'Sneaky', scope: 'read_write' })).status).toBe(403);
    expect((await member.submit('/', `/settings/api-keys/${rows[0].id}/revoke`, {})).status).toBe(403);
    expect(home.body).not.toContain('/settings/api-keys');
    const revoked = await admin.query('SELECT revoked_at FROM api_keys WHERE id = $1', [rows[0].id]);
    expect(revoked.rows[0].revoked_at).toBeNull();
  });

  it('form without CSRF token is refused', async () => {
    const owner = await signIn();

    const response = await owner.request('/settings/api-keys', { form: { name: 'No token', scope: 'read' } });

    expect(response.status).toBe(403);
    const rows = await admin.query(`SELECT 1 FROM api_keys WHERE name = 'No token'`);
    expect(rows.rowCount).toBe(0);
  });
});
