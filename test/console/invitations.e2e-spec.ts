import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { EmailSender } from '../../apps/worker/src/email/email-sender.service';
import { hashAccessToken } from '../../libs/auth/src/access-links';
import { hashPassword } from '../../libs/auth/src/passwords';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, startConsole } from '../support/portal-harness';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { decodeQuotedPrintable, linkIn, ReceivedMail, waitForMail } from '../support/smtp-sink';

const CONSOLE_HOST = 'console.localhost';
const NEW_PASSWORD = 'harbour-lantern-quietly-77';

describe('console invitations and access resets', () => {
  let mail: MailWorker;
  let received: ReceivedMail[];
  let worker: INestApplication;
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let other: TestTenant;
  let companyId: string;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'invite');
    other = await provisionTestTenant(admin, 'invite-b');
    const hash = await hashPassword(TEST_PASSWORD);
    for (const role of ['admin', 'member']) {
      await admin.query(
        `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, $3, $4, 'active', $5)`,
        [tenant.tenantId, `${role}@${tenant.slug}.example`, `Pat ${role}`, role, hash],
      );
    }
    companyId = (
      await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 ORDER BY external_id LIMIT 1', [
        tenant.tenantId,
      ])
    ).rows[0].id;
    mail = await startMailWorker();
    ({ received, worker } = mail);
    ({ app, port } = await startConsole());
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await mail.stop();
    await admin.end();
  });

  const client = () => new PortalClient(port, CONSOLE_HOST);
  async function signedIn(email = `owner@${tenant.slug}.example`, workspace = tenant.slug): Promise<PortalClient> {
    const browser = client();
    const login = await browser.submit('/login', '/login', { workspace, email, password: TEST_PASSWORD, next: '/' });
    expect(login.status).toBe(303);
    return browser;
  }

  async function linkState(token: string) {
    const result = await admin.query<{ used: boolean; voided: boolean }>(
      'SELECT used_at IS NOT NULL AS used, voided_at IS NOT NULL AS voided FROM access_tokens WHERE token_hash = $1',
      [hashAccessToken(token)],
    );
    return result.rows[0];
  }

  it('invites a portal user with a branded email whose link is on the tenant host, whatever the request said', async () => {
    const owner = await signedIn();
    const page = await owner.get('/settings/users/invite');
    expect(page.status).toBe(200);
    const email = 'first.customer@invite.example';
    const response = await owner.request('/settings/users/invite', {
      form: { _csrf: csrfFrom(page.body), email: ` ${email.toUpperCase()} `, company: companyId, name: 'Dana First' },
      headers: { 'x-forwarded-host': 'attacker.example', forwarded: 'host=attacker.example', 'x-forwarded-proto': 'https' },
    });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/settings/users?done=invited');

    const [mail] = await waitForMail(received, email);
    const body = decodeQuotedPrintable(mail.raw);
    expect(body).toContain(`Subject: Your Brand ${tenant.slug} customer portal invitation`);
    expect(body).toContain('#123456');
    expect(body).toContain(`Company ${tenant.slug}-c1`);
    expect(body).toContain('Dana First');
    expect(body).not.toContain('attacker');
    const link = linkIn(mail, '/set-password');
    expect(link.origin).toBe(`http://portal.${tenant.slug}.test:3000`);
    const token = link.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    expect(await linkState(token)).toEqual({ used: false, voided: false });
    const stored = await admin.query('SELECT count(*)::int AS n FROM access_tokens WHERE encode(token_hash, $1) LIKE $2', ['escape', `%${token}%`]);
    expect(stored.rows[0].n).toBe(0);

    const user = await admin.query('SELECT status, name, company_id FROM portal_users WHERE tenant_id = $1 AND email = $2', [tenant.tenantId, email]);
    expect(user.rows[0]).toEqual({ status: 'invited', name: 'Dana First', company_id: companyId });
    const list = await owner.get('/settings/users?status=invited');
    expect(list.body).toContain(email);
    expect(list.body).toContain('Resend invitation');
    const activity = await admin.query(`SELECT actor_type, subject_type FROM activity_events WHERE tenant_id = $1 AND action = 'user.invited'`, [
      tenant.tenantId,
    ]);
    expect(activity.rows).toEqual([{ actor_type: 'staff', subject_type: 'portal_user' }]);
  });

  it('resend voids the earlier link, and a retried job sends no second email', async () => {
    const owner = await signedIn();
    const email = 'resend.me@invite.example';
    await owner.submit('/settings/users/invite', '/settings/users/invite', { email, company: companyId });
    const [first] = await waitForMail(received, email);
    const firstToken = linkIn(first, '/set-password').searchParams.get('token')!;
    const user = await admin.query<{ id: string }>('SELECT id FROM portal_users WHERE tenant_id = $1 AND email = $2', [tenant.tenantId, email]);

    const resend = await owner.submit('/settings/users', `/settings/users/portal/${user.rows[0].id}/resend`, {});
    expect(resend.status).toBe(303);
    const mails = await waitForMail(received, email, 2);
    const secondToken = linkIn(mails[1], '/set-password').searchParams.get('token')!;
    expect(secondToken).not.toBe(firstToken);
    expect(await linkState(firstToken)).toEqual({ used: false, voided: true });
    expect(await linkState(secondToken)).toEqual({ used: false, voided: false });

    const deliveries = await admin.query<{ id: string }>(
      `SELECT id FROM email_deliveries WHERE tenant_id = $1 AND recipient = $2 ORDER BY created_at`,
      [tenant.tenantId, email],
    );
    const sender = worker.get(EmailSender);
    expect(await sender.send({ tenantId: tenant.tenantId, deliveryId: deliveries.rows[1].id })).toBe('already-sent');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.filter((mail) => mail.to.includes(email))).toHaveLength(2);
    expect(await linkState(secondToken)).toEqual({ used: false, voided: false });
  });

  it('does not send a link that was replaced before its email left', async () => {
    const email = 'replaced.early@invite.example';
    const userId = (
      await admin.query<{ id: string }>(
        `INSERT INTO portal_users (tenant_id, company_id, email, status) VALUES ($1, $2, $3, 'invited') RETURNING id`,
        [tenant.tenantId, companyId, email],
      )
    ).rows[0].id;
    const token = await admin.query<{ id: string }>(
      `INSERT INTO access_tokens (tenant_id, purpose, portal_user_id, expires_at, voided_at) VALUES ($1, 'invitation', $2, now() + interval '1 day', now()) RETURNING id`,
      [tenant.tenantId, userId],
    );
    const delivery = await admin.query<{ id: string }>(
      `INSERT INTO email_deliveries (tenant_id, kind, recipient, access_token_id) VALUES ($1, 'invitation', $2, $3) RETURNING id`,
      [tenant.tenantId, email, token.rows[0].id],
    );
    expect(await worker.get(EmailSender).send({ tenantId: tenant.tenantId, deliveryId: delivery.rows[0].id })).toBe('cancelled');
    const row = await admin.query('SELECT status FROM email_deliveries WHERE id = $1', [delivery.rows[0].id]);
    expect(row.rows[0].status).toBe('cancelled');
    expect(received.filter((mail) => mail.to.includes(email))).toHaveLength(0);
  });

  it('names each bad field and refuses an email that already has access', async () => {
    const owner = await signedIn();
    const bad = await owner.submit('/settings/users/invite', '/settings/users/invite', { email: 'not-an-email', company: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('The email must be an email address');
    expect(bad.body).toContain('The company must be one of your customer companies');
    expect(bad.body).toContain('value="not-an-email"');

    const foreignCompany = (await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 LIMIT 1', [other.tenantId])).rows[0].id;
    const foreign = await owner.submit('/settings/users/invite', '/settings/users/invite', { email: 'x@invite.example', company: foreignCompany });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toContain('The company must be one of your customer companies');

    const injected = await owner.submit('/settings/users/invite', '/settings/users/invite', {
      email: 'lines@invite.example',
      company: companyId,
      name: 'Dana\r\nRestore your account at http://evil.example',
    });
    expect(injected.status).toBe(400);
    expect(injected.body).toContain('The name must not contain line breaks');
    const nul = await owner.submit('/settings/users/invite', '/settings/users/invite', { email: 'nul\u0000@invite.example', company: companyId });
    expect(nul.status).toBe(400);
    expect(nul.body).toContain('The email must be an email address');

    const taken = await owner.submit('/settings/users/invite', '/settings/users/invite', { email: tenant.companies[0].email, company: companyId });
    expect(taken.status).toBe(400);
    expect(taken.body).toContain('already belongs to a portal user');
    const count = await admin.query(`SELECT count(*)::int AS n FROM portal_users WHERE tenant_id = $1 AND email = 'x@invite.example'`, [tenant.tenantId]);
    expect(count.rows[0].n).toBe(0);
  });

  it('resets access: ends sessions, voids links and sends a new one', async () => {
    const owner = await signedIn();
    const email = tenant.companies[1].email;
    const before = await admin.query<{ id: string; session_version: number }>(
      'SELECT id, session_version FROM portal_users WHERE tenant_id = $1 AND email = $2',
      [tenant.tenantId, email],
    );
    const reset = await owner.submit('/settings/users', `/settings/users/portal/${before.rows[0].id}/reset`, {});
    expect(reset.status).toBe(303);
    expect(reset.headers.location).toBe('/settings/users?done=reset');
    const [mail] = await waitForMail(received, email);
    const body = decodeQuotedPrintable(mail.raw);
    expect(body).toContain(`Subject: Set a new password for Brand ${tenant.slug}`);
    expect(body).toContain('has reset your access');
    expect(body).toContain('Your old password no longer works');
    expect(body).not.toContain('If you did not ask for this');
    expect(linkIn(mail, '/set-password').origin).toBe(`http://portal.${tenant.slug}.test:3000`);
    const after = await admin.query('SELECT session_version, password_hash FROM portal_users WHERE id = $1', [before.rows[0].id]);
    expect(after.rows[0]).toEqual({ session_version: before.rows[0].session_version + 1, password_hash: null });
  });

  it('disabling ends sessions and voids links for good, and is logged', async () => {
    const owner = await signedIn();
    const email = 'paused.customer@invite.example';
    await owner.submit('/settings/users/invite', '/settings/users/invite', { email, company: companyId });
    const [mail] = await waitForMail(received, email);
    const token = linkIn(mail, '/set-password').searchParams.get('token')!;
    const before = await admin.query<{ id: string; session_version: number }>(
      'SELECT id, session_version FROM portal_users WHERE tenant_id = $1 AND email = $2',
      [tenant.tenantId, email],
    );
    const userId = before.rows[0].id;

    expect((await owner.submit('/settings/users', `/settings/users/portal/${userId}/disable`, {})).status).toBe(303);
    expect(await linkState(token)).toEqual({ used: false, voided: true });
    expect((await owner.submit('/settings/users', `/settings/users/portal/${userId}/enable`, {})).status).toBe(303);

    const after = await admin.query('SELECT status, session_version FROM portal_users WHERE id = $1', [userId]);
    expect(after.rows[0]).toEqual({ status: 'invited', session_version: before.rows[0].session_version + 1 });
    expect(await linkState(token)).toEqual({ used: false, voided: true });
    const actions = await admin.query<{ action: string }>(
      `SELECT action FROM activity_events WHERE tenant_id = $1 AND subject_id = $2 ORDER BY occurred_at, action`,
      [tenant.tenantId, userId],
    );
    expect(actions.rows.map((row) => row.action)).toEqual(['user.invited', 'user.disabled', 'user.enabled']);
  });

  it('keeps members out of user management', async () => {
    const member = await signedIn(`member@${tenant.slug}.example`);
    expect((await member.get('/settings/users/invite')).status).toBe(403);
    const home = await member.get('/');
    const user = await admin.query<{ id: string }>('SELECT id FROM portal_users WHERE tenant_id = $1 LIMIT 1', [tenant.tenantId]);
    for (const path of ['/settings/users/invite', `/settings/users/portal/${user.rows[0].id}/reset`, `/settings/users/portal/${user.rows[0].id}/resend`]) {
      const response = await member.request(path, { form: { _csrf: csrfFrom(home.body), email: 'm@invite.example', company: companyId } });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
  });

  it("cannot reset or resend for another tenant's user", async () => {
    const owner = await signedIn();
    const foreign = await admin.query<{ id: string; session_version: number }>(
      'SELECT id, session_version FROM portal_users WHERE tenant_id = $1 LIMIT 1',
      [other.tenantId],
    );
    for (const action of ['reset', 'resend']) {
      const response = await owner.submit('/settings/users', `/settings/users/portal/${foreign.rows[0].id}/${action}`, {});
      expect({ action, status: response.status }).toEqual({ action, status: 404 });
    }
    const after = await admin.query('SELECT session_version FROM portal_users WHERE id = $1', [foreign.rows[0].id]);
    expect(after.rows[0].session_version).toBe(foreign.rows[0].session_version);
    const tokens = await admin.query('SELECT count(*)::int AS n FROM access_tokens WHERE portal_user_id = $1', [foreign.rows[0].id]);
    expect(tokens.rows[0].n).toBe(0);
  });

  describe('staff', () => {
    it('invites a staff user whose link opens the console and signs them in', async () => {
      const owner = await signedIn();
      const email = 'new.dispatcher@invite.example';
      const invited = await owner.submit('/settings/users/invite-staff', '/settings/users/invite-staff', { email, name: 'Robin New', role: 'member' });
      expect(invited.status).toBe(303);
      const [mail] = await waitForMail(received, email);
      expect(decodeQuotedPrintable(mail.raw)).toContain(`Your workspace is ${tenant.slug}`);
      const link = linkIn(mail, '/reset-password');
      expect(link.origin).toBe('http://console.localhost:3001');
      expect(link.searchParams.get('workspace')).toBe(tenant.slug);
      const token = link.searchParams.get('token')!;

      // The same token under another workspace finds nothing.
      const wrong = await client().get(`/reset-password?workspace=${other.slug}&token=${token}`);
      expect(wrong.status).toBe(410);

      const browser = client();
      const page = await browser.get(`/reset-password?workspace=${tenant.slug}&token=${token}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(email);
      const saved = await browser.request('/reset-password', {
        form: { _csrf: csrfFrom(page.body), workspace: tenant.slug, token, password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
      });
      expect(saved.status).toBe(303);
      const home = await browser.get('/');
      expect(home.status).toBe(200);
      expect(home.body).toContain('Robin New');
      expect((await browser.get('/settings/users')).status).toBe(403);
      expect((await client().get(`/reset-password?workspace=${tenant.slug}&token=${token}`)).status).toBe(410);
    });

    it('lets only an owner invite an owner', async () => {
      const adminUser = await signedIn(`admin@${tenant.slug}.example`);
      const response = await adminUser.submit('/settings/users/invite-staff', '/settings/users/invite-staff', {
        email: 'boss@invite.example',
        name: 'Boss',
        role: 'owner',
      });
      expect(response.status).toBe(400);
      expect(response.body).toContain('The role can be owner only when an owner invites');
    });

    it('sends a reset link to a staff user who forgot their password, and the same answer for strangers', async () => {
      const email = `admin@${tenant.slug}.example`;
      const known = await client().submit('/forgot-password', '/forgot-password', { workspace: tenant.slug, email });
      const unknownWorkspace = await client().submit('/forgot-password', '/forgot-password', { workspace: 'no-such-place', email });
      expect(known.status).toBe(200);
      expect(unknownWorkspace.status).toBe(200);
      const strip = (body: string) => body.replace(/name="_csrf" value="[^"]+"/g, '');
      expect(strip(known.body)).toBe(strip(unknownWorkspace.body));

      const [mail] = await waitForMail(received, email);
      const link = linkIn(mail, '/reset-password');
      const browser = client();
      const page = await browser.get(`${link.pathname}${link.search}`);
      expect(page.status).toBe(200);
      const saved = await browser.request('/reset-password', {
        form: {
          _csrf: csrfFrom(page.body),
          workspace: tenant.slug,
          token: link.searchParams.get('token')!,
          password: NEW_PASSWORD,
          confirmation: NEW_PASSWORD,
        },
      });
      expect(saved.status).toBe(303);
      expect((await browser.get('/settings/users')).status).toBe(200);
    });
  });
});
