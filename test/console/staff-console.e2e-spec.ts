import type { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';

import { staffLoginFailedMessage } from '../../apps/console/src/auth/console-auth.controller';
import { hashPassword } from '../../libs/auth/src/passwords';
import { EMAIL_QUEUE } from '../../libs/queue/src/queues';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, rawRequest, startConsole } from '../support/portal-harness';

const CONSOLE_HOST = 'console.localhost';
const FAILED = staffLoginFailedMessage(900);

describe('staff console', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenantA: TestTenant;
  let tenantB: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    tenantA = await provisionTestTenant(admin, 'staff-a');
    tenantB = await provisionTestTenant(admin, 'staff-b');
    const hash = await hashPassword(TEST_PASSWORD);
    for (const [role, status] of [
      ['admin', 'active'],
      ['member', 'active'],
      ['admin', 'disabled'],
    ]) {
      await admin.query(
        `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, $3, $4, $5, $6)`,
        [tenantA.tenantId, `${role}-${status}@${tenantA.slug}.example`, `${role} ${status}`, role, status, hash],
      );
    }
    ({ app, port } = await startConsole());
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  const client = () => new PortalClient(port, CONSOLE_HOST);
  const signIn = (target: PortalClient, workspace: string, email: string, password = TEST_PASSWORD) =>
    target.submit('/login', '/login', { workspace, email, password, next: '/' });

  it('signs the owner in and out', async () => {
    const owner = client();
    const login = await signIn(owner, tenantA.slug, `owner@${tenantA.slug}.example`);
    expect(login.status).toBe(303);
    const home = await owner.get('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain(`Tenant ${tenantA.slug}`);
    expect(home.headers['cache-control']).toBe('no-store');

    const logout = await owner.submit('/', '/logout', {});
    expect(logout.status).toBe(303);
    expect((await owner.get('/')).status).toBe(303);
  });

  it('sends visitors to the login page', async () => {
    const response = await client().get('/settings/users');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2Fsettings%2Fusers');
  });

  it.each([
    ['wrong password', () => [tenantA.slug, `owner@${tenantA.slug}.example`, 'not-the-password']],
    ['unknown email', () => [tenantA.slug, `nobody@${tenantA.slug}.example`, TEST_PASSWORD]],
    ['unknown workspace', () => ['no-such-workspace', `owner@${tenantA.slug}.example`, TEST_PASSWORD]],
    ['another tenant', () => [tenantB.slug, `owner@${tenantA.slug}.example`, TEST_PASSWORD]],
    ['disabled staff', () => [tenantA.slug, `admin-disabled@${tenantA.slug}.example`, TEST_PASSWORD]],
  ])('gives one failure message for %s', async (_case, values) => {
    const [workspace, email, password] = values();
    const response = await signIn(client(), workspace, email, password);
    expect(response.status).toBe(401);
    expect(response.body).toContain(FAILED);
  });

  it('rejects a login without a CSRF token', async () => {
    const visitor = client();
    await visitor.get('/login');
    const response = await visitor.request('/login', {
      form: { workspace: tenantA.slug, email: `owner@${tenantA.slug}.example`, password: TEST_PASSWORD },
    });
    expect(response.status).toBe(403);
  });

  it('answers 404 on any host but the console host', async () => {
    expect((await rawRequest(port, `${tenantA.slug}.localhost`, '/login')).status).toBe(404);
    expect((await rawRequest(port, 'evil.example', '/login')).status).toBe(404);
    expect((await rawRequest(port, 'CONSOLE.localhost.:3001', '/login')).status).toBe(200);
  });

  it('lists only its own tenant users to an admin', async () => {
    const staff = client();
    expect((await signIn(staff, tenantA.slug, `admin-active@${tenantA.slug}.example`)).status).toBe(303);
    const page = await staff.get('/settings/users');
    expect(page.status).toBe(200);
    expect(page.body).toContain(tenantA.companies[0].email);
    expect(page.body).toContain(`member-active@${tenantA.slug}.example`);
    expect(page.body).not.toContain(tenantB.companies[0].email);
    expect(page.body).not.toContain(`owner@${tenantB.slug}.example`);
  });

  it('filters portal users by status, company and search', async () => {
    const staff = client();
    await signIn(staff, tenantA.slug, `owner@${tenantA.slug}.example`);
    const company = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 AND external_id = $2', [
      tenantA.tenantId,
      tenantA.companies[1].key,
    ]);
    const byCompany = await staff.get(`/settings/users?company=${company.rows[0].id}`);
    expect(byCompany.body).toContain(tenantA.companies[1].email);
    expect(byCompany.body).not.toContain(tenantA.companies[0].email);

    const invited = await staff.get('/settings/users?status=invited');
    expect(invited.body).toContain('No portal users match');

    const search = await staff.get(`/settings/users?q=${encodeURIComponent('user-1@')}`);
    expect(search.body).toContain(tenantA.companies[0].email);
    expect(search.body).not.toContain(tenantA.companies[1].email);

    const wildcard = await staff.get('/settings/users?q=%25');
    expect(wildcard.body).toContain('No portal users match');
  });

  it.each([
    ['status=everyone', 'status'],
    ['company=not-a-uuid', 'company'],
    [`q=${'x'.repeat(101)}`, 'q'],
  ])('rejects the filter %s with 400', async (query, field) => {
    const staff = client();
    await signIn(staff, tenantA.slug, `owner@${tenantA.slug}.example`);
    const response = await staff.get(`/settings/users?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toContain(`<code>${field}</code>`);
  });

  it('keeps members out of user settings', async () => {
    const member = client();
    expect((await signIn(member, tenantA.slug, `member-active@${tenantA.slug}.example`)).status).toBe(303);
    expect((await member.get('/')).status).toBe(200);
    expect((await member.get('/settings/users')).status).toBe(403);
  });

  it('ends the session of a staff user who is disabled', async () => {
    const email = `admin-active@${tenantA.slug}.example`;
    const staff = client();
    await signIn(staff, tenantA.slug, email);
    expect((await staff.get('/')).status).toBe(200);
    await admin.query("UPDATE staff_users SET status = 'disabled' WHERE tenant_id = $1 AND email = $2", [tenantA.tenantId, email]);
    try {
      const response = await staff.get('/');
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/login');
    } finally {
      await admin.query("UPDATE staff_users SET status = 'active' WHERE tenant_id = $1 AND email = $2", [tenantA.tenantId, email]);
    }
  });

  it('ends the session of a staff user whose role changed', async () => {
    const email = `member-active@${tenantA.slug}.example`;
    const staff = client();
    await signIn(staff, tenantA.slug, email);
    await admin.query("UPDATE staff_users SET role = 'admin' WHERE tenant_id = $1 AND email = $2", [tenantA.tenantId, email]);
    try {
      expect((await staff.get('/')).status).toBe(303);
    } finally {
      await admin.query("UPDATE staff_users SET role = 'member' WHERE tenant_id = $1 AND email = $2", [tenantA.tenantId, email]);
    }
  });

  describe('disable and enable', () => {
    async function portalUserId(tenant: TestTenant, email: string): Promise<string> {
      const result = await admin.query<{ id: string }>('SELECT id FROM portal_users WHERE tenant_id = $1 AND email = $2', [
        tenant.tenantId,
        email,
      ]);
      return result.rows[0].id;
    }

    async function statusOf(tenant: TestTenant, email: string): Promise<string> {
      const result = await admin.query<{ status: string }>(
        'SELECT status FROM portal_users WHERE tenant_id = $1 AND email = $2',
        [tenant.tenantId, email],
      );
      return result.rows[0].status;
    }

    async function signedInOwner(): Promise<{ staff: PortalClient; token: string }> {
      const staff = client();
      await signIn(staff, tenantA.slug, `owner@${tenantA.slug}.example`);
      const page = await staff.get('/settings/users');
      return { staff, token: csrfFrom(page.body) };
    }

    it('disables and enables a portal user', async () => {
      const email = tenantA.companies[1].email;
      const id = await portalUserId(tenantA, email);
      const { staff, token } = await signedInOwner();

      const disable = await staff.request(`/settings/users/portal/${id}/disable`, { form: { _csrf: token } });
      expect(disable.status).toBe(303);
      expect(disable.headers.location).toBe('/settings/users?done=disabled');
      expect(await statusOf(tenantA, email)).toBe('disabled');
      expect((await staff.get('/settings/users?done=disabled')).body).toContain('Any open session ends');

      const enable = await staff.request(`/settings/users/portal/${id}/enable`, { form: { _csrf: token } });
      expect(enable.status).toBe(303);
      expect(await statusOf(tenantA, email)).toBe('active');
    });

    it('rejects a change without a CSRF token', async () => {
      const id = await portalUserId(tenantA, tenantA.companies[0].email);
      const { staff } = await signedInOwner();
      const response = await staff.request(`/settings/users/portal/${id}/disable`, { method: 'POST', form: {} });
      expect(response.status).toBe(403);
      expect(await statusOf(tenantA, tenantA.companies[0].email)).toBe('active');
    });

    it('answers 404 for another tenant user', async () => {
      const id = await portalUserId(tenantB, tenantB.companies[0].email);
      const { staff, token } = await signedInOwner();
      const response = await staff.request(`/settings/users/portal/${id}/disable`, { form: { _csrf: token } });
      expect(response.status).toBe(404);
      expect(await statusOf(tenantB, tenantB.companies[0].email)).toBe('active');
    });

    it('keeps members from changing users', async () => {
      const id = await portalUserId(tenantA, tenantA.companies[0].email);
      const member = client();
      await signIn(member, tenantA.slug, `member-active@${tenantA.slug}.example`);
      const token = csrfFrom((await member.get('/')).body);
      const response = await member.request(`/settings/users/portal/${id}/disable`, { form: { _csrf: token } });
      expect(response.status).toBe(403);
      expect(await statusOf(tenantA, tenantA.companies[0].email)).toBe('active');
    });

    it('refuses to disable your own account', async () => {
      const owner = await admin.query<{ id: string }>('SELECT id FROM staff_users WHERE tenant_id = $1 AND email = $2', [
        tenantA.tenantId,
        `owner@${tenantA.slug}.example`,
      ]);
      const { staff, token } = await signedInOwner();
      const response = await staff.request(`/settings/users/staff/${owner.rows[0].id}/disable`, { form: { _csrf: token } });
      expect(response.status).toBe(400);
    });

    it('lets only owners change an owner', async () => {
      const owner = await admin.query<{ id: string }>('SELECT id FROM staff_users WHERE tenant_id = $1 AND email = $2', [
        tenantA.tenantId,
        `owner@${tenantA.slug}.example`,
      ]);
      const staff = client();
      await signIn(staff, tenantA.slug, `admin-active@${tenantA.slug}.example`);
      const token = csrfFrom((await staff.get('/settings/users')).body);
      const response = await staff.request(`/settings/users/staff/${owner.rows[0].id}/disable`, { form: { _csrf: token } });
      expect(response.status).toBe(403);
    });

    it('disables a staff user, who then cannot sign in', async () => {
      const email = `member-active@${tenantA.slug}.example`;
      const member = await admin.query<{ id: string }>('SELECT id FROM staff_users WHERE tenant_id = $1 AND email = $2', [
        tenantA.tenantId,
        email,
      ]);
      const { staff, token } = await signedInOwner();
      try {
        const response = await staff.request(`/settings/users/staff/${member.rows[0].id}/disable`, { form: { _csrf: token } });
        expect(response.status).toBe(303);
        expect((await signIn(client(), tenantA.slug, email)).status).toBe(401);
      } finally {
        await admin.query("UPDATE staff_users SET status = 'active' WHERE id = $1", [member.rows[0].id]);
      }
    });
  });

  it('queues a branded test email for the signed-in owner', async () => {
    const staff = client();
    await signIn(staff, tenantA.slug, `owner@${tenantA.slug}.example`);
    const token = csrfFrom((await staff.get('/')).body);
    const response = await staff.request('/settings/email/test', { form: { _csrf: token } });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/?email=queued');

    const deliveries = await admin.query<{ id: string; recipient: string; status: string }>(
      'SELECT id, recipient, status FROM email_deliveries WHERE tenant_id = $1',
      [tenantA.tenantId],
    );
    expect(deliveries.rows).toHaveLength(1);
    expect(deliveries.rows[0].recipient).toBe(`owner@${tenantA.slug}.example`);

    const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const queue = new Queue(EMAIL_QUEUE, { connection });
    try {
      const job = await queue.getJob(deliveries.rows[0].id);
      expect(job?.data).toEqual({ tenantId: tenantA.tenantId, deliveryId: deliveries.rows[0].id });
      await job?.remove();
    } finally {
      await queue.close();
      await connection.quit();
    }
  });

  it('keeps members from sending test emails', async () => {
    const member = client();
    await signIn(member, tenantA.slug, `member-active@${tenantA.slug}.example`);
    const token = csrfFrom((await member.get('/')).body);
    expect((await member.request('/settings/email/test', { form: { _csrf: token } })).status).toBe(403);
  });
});
