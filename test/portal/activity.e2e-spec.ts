import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { csrfFrom, PortalClient, startPortal } from '../support/portal-harness';
import { adminPool, appPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { asRole } from '../support/roles';

interface EventRow {
  id: string;
  action: string;
  actor_type: string;
  actor_id: string | null;
  actor_email: string | null;
  company_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

interface PortalUser {
  id: string;
  email: string;
  companyId: string;
}

describe('portal activity log', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let roles: Pool;
  let tenant: TestTenant;
  let first: PortalUser;
  let second: PortalUser;

  beforeAll(async () => {
    admin = adminPool();
    roles = appPool();
    tenant = await provisionTestTenant(admin, 'activity');
    first = await portalUser(tenant.companies[0].email);
    second = await portalUser(tenant.companies[1].email);
    ({ app, port } = await startPortal());
  });

  afterAll(async () => {
    await app.close();
    await roles.end();
    await admin.end();
  });

  async function portalUser(email: string): Promise<PortalUser> {
    const result = await admin.query<{ id: string; company_id: string }>(
      'SELECT id, company_id FROM portal_users WHERE tenant_id = $1 AND email = $2',
      [tenant.tenantId, email],
    );
    return { id: result.rows[0].id, email, companyId: result.rows[0].company_id };
  }

  async function recordId(table: string, externalId: string): Promise<string> {
    const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`, [
      tenant.tenantId,
      externalId,
    ]);
    return result.rows[0].id;
  }

  async function events(action: string, email?: string): Promise<EventRow[]> {
    const result = await admin.query<EventRow>(
      `SELECT id, action, actor_type, actor_id, actor_email, company_id, subject_type, subject_id, host(ip) AS ip,
         request_id, details
       FROM activity_events WHERE tenant_id = $1 AND action = $2 AND ($3::text IS NULL OR actor_email = $3)
       ORDER BY occurred_at`,
      [tenant.tenantId, action, email ?? null],
    );
    return result.rows;
  }

  async function eventCount(): Promise<number> {
    const result = await admin.query<{ count: number }>('SELECT count(*)::int AS count FROM activity_events WHERE tenant_id = $1', [
      tenant.tenantId,
    ]);
    return result.rows[0].count;
  }

  const newClient = () => new PortalClient(port, `${tenant.slug}.localhost`);

  async function signedIn(user: PortalUser): Promise<PortalClient> {
    const client = newClient();
    expect((await client.login(user.email, TEST_PASSWORD)).status).toBe(303);
    return client;
  }

  it('records a failed sign-in as a visitor', async () => {
    const client = newClient();
    const token = csrfFrom((await client.get('/login')).body);
    const response = await client.request('/login', {
      form: { _csrf: token, email: `  ${first.email.toUpperCase()} `, password: 'not-the-password', next: '/' },
      // Without a trusted proxy the header is ignored and the socket address counts.
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(response.status).toBe(401);

    const rows = await events('auth.login_failed', first.email);
    expect(rows).toHaveLength(1);
    expect(rows[0].actor_type).toBe('visitor');
    expect(rows[0].actor_id).toBeNull();
    expect(rows[0].company_id).toBeNull();
    expect(rows[0].ip).toBe('127.0.0.1');
    expect(rows[0].request_id).toBe(response.headers['x-request-id']);
    expect(rows[0].details).toEqual({ reason: 'invalid' });
  });

  it('logs no text that is not an email address', async () => {
    const text = 'security notice: call +1 555 0100 to restore access';
    expect((await newClient().login(text, 'not-the-password')).status).toBe(401);
    const rows = await admin.query<{ actor_email: string | null }>(
      `SELECT actor_email FROM activity_events WHERE tenant_id = $1 AND action = 'auth.login_failed' AND actor_email IS NULL`,
      [tenant.tenantId],
    );
    expect(rows.rowCount).toBe(1);
    const leaked = await admin.query(`SELECT 1 FROM activity_events WHERE actor_email LIKE '%security notice%'`);
    expect(leaked.rowCount).toBe(0);
  });

  it('does not log a blank or oversized email', async () => {
    const failures = async () =>
      (await admin.query(`SELECT 1 FROM activity_events WHERE tenant_id = $1 AND action = 'auth.login_failed'`, [tenant.tenantId])).rowCount;
    const before = await failures();
    const email = `${'x'.repeat(300)}@example.com`;
    expect((await newClient().login(email, 'not-the-password')).status).toBe(401);
    expect((await newClient().login('', 'not-the-password')).status).toBe(401);
    expect(await failures()).toBe(before);
  });

  it('records a sign-in with user and company', async () => {
    const before = await events('auth.login', first.email);
    await signedIn(first);

    const rows = (await events('auth.login', first.email)).slice(before.length);
    expect(rows).toHaveLength(1);
    expect(rows[0].actor_type).toBe('portal_user');
    expect(rows[0].actor_id).toBe(first.id);
    expect(rows[0].company_id).toBe(first.companyId);
    expect(rows[0].ip).toBe('127.0.0.1');
  });

  it('records each opened record once', async () => {
    const client = await signedIn(first);
    const invoice = await recordId('invoices', `${tenant.companies[0].key}-inv-s`);
    const report = await recordId('inspection_reports', `${tenant.companies[0].key}-ir-s`);
    const before = await events('record.viewed', first.email);

    expect((await client.get(`/invoices/${invoice}`)).status).toBe(200);
    expect((await client.get(`/inspection-reports/${report}`)).status).toBe(200);

    const rows = (await events('record.viewed', first.email)).slice(before.length);
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => [row.subject_type, row.subject_id])).toEqual([
      ['invoices', invoice],
      ['inspection-reports', report],
    ]);
    for (const row of rows) {
      expect(row.actor_type).toBe('portal_user');
      expect(row.actor_id).toBe(first.id);
      expect(row.company_id).toBe(first.companyId);
      expect(row.ip).toBe('127.0.0.1');
    }
  });

  it('records nothing for lists and missing records', async () => {
    const client = await signedIn(first);
    const missing = [
      await recordId('invoices', `${tenant.companies[1].key}-inv-s`),
      await recordId('invoices', `${tenant.companies[0].key}-inv-u`),
      '00000000-0000-4000-8000-000000000000',
      'not-a-uuid',
    ];
    const before = await eventCount();

    for (const path of ['/', '/invoices', '/inspection-reports']) {
      expect({ path, status: (await client.get(path)).status }).toEqual({ path, status: 200 });
    }
    for (const id of missing) {
      expect({ id, status: (await client.get(`/invoices/${id}`)).status }).toEqual({ id, status: 404 });
    }

    expect(await eventCount()).toBe(before);
  });

  it('records the first locked-out attempt only', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await newClient().login(second.email, 'wrong-password')).status).toBe(401);
    }
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await newClient().login(second.email, TEST_PASSWORD)).status).toBe(401);
    }

    const reasons = (await events('auth.login_failed', second.email)).map((row) => row.details.reason);
    expect(reasons).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'locked']);
  });

  describe('database rules', () => {
    const customer = () => ({ tenantId: tenant.tenantId, companyId: first.companyId, userId: first.id });
    const insert = `INSERT INTO activity_events (tenant_id, action, actor_type, actor_id, company_id)
      VALUES ($1, 'record.viewed', $2, $3, $4)`;

    async function anyEventId(): Promise<string> {
      const result = await admin.query<{ id: string }>('SELECT id FROM activity_events WHERE tenant_id = $1 LIMIT 1', [
        tenant.tenantId,
      ]);
      return result.rows[0].id;
    }

    it('lets a customer insert only its own events', async () => {
      const own = await asRole(roles, 'portal_customer', customer(), (client) =>
        client.query(insert, [tenant.tenantId, 'portal_user', first.id, first.companyId]),
      );
      expect(own.rowCount).toBe(1);

      const forged: Array<[string, string, string]> = [
        ['portal_user', second.id, first.companyId],
        ['portal_user', first.id, second.companyId],
        ['staff', first.id, first.companyId],
      ];
      for (const [actorType, actorId, companyId] of forged) {
        await expect(
          asRole(roles, 'portal_customer', customer(), (client) =>
            client.query(insert, [tenant.tenantId, actorType, actorId, companyId]),
          ),
        ).rejects.toThrow(/row-level security/);
      }
    });

    it('keeps the log unreadable to customers', async () => {
      await expect(
        asRole(roles, 'portal_customer', customer(), (client) => client.query('SELECT * FROM activity_events')),
      ).rejects.toThrow(/permission denied/);
    });

    it('refuses updates and deletes to staff', async () => {
      const id = await anyEventId();
      const staff = { tenantId: tenant.tenantId };
      await expect(
        asRole(roles, 'portal_staff', staff, (client) =>
          client.query("UPDATE activity_events SET action = 'auth.login' WHERE id = $1", [id]),
        ),
      ).rejects.toThrow(/permission denied/);
      await expect(
        asRole(roles, 'portal_staff', staff, (client) => client.query('DELETE FROM activity_events WHERE id = $1', [id])),
      ).rejects.toThrow(/permission denied/);
    });

    it('refuses updates to the schema owner', async () => {
      const id = await anyEventId();
      // The migrating user owns the schema and is not bound by row-level
      // security, so only the trigger keeps it from changing the row.
      await expect(
        admin.query("UPDATE activity_events SET action = 'auth.login' WHERE tenant_id = $1 AND id = $2", [
          tenant.tenantId,
          id,
        ]),
      ).rejects.toThrow(/activity events cannot be changed/);
    });
  });
});
