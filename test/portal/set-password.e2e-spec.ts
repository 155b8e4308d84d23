import type { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import { Pool } from 'pg';

import { resetPortalAccess } from '../../libs/access/src/user-access';
import { newAccessToken } from '../../libs/auth/src/access-links';
import { executorFor } from '../../libs/db/src/sql-executor';
import { redisOptions } from '../../libs/queue/src/queue.module';
import { EMAIL_QUEUE } from '../../libs/queue/src/queues';
import { adminPool, appPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, startPortal } from '../support/portal-harness';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { decodeQuotedPrintable, linkIn, waitForMail } from '../support/smtp-sink';

const NEW_PASSWORD = 'lantern-orchard-velvet-42';
const INVALID_HEADING = 'This link no longer works';

describe('portal set-password links', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let app_: Pool;
  let tenant: TestTenant;
  let other: TestTenant;
  let queue: Queue;

  beforeAll(async () => {
    admin = adminPool();
    app_ = appPool();
    tenant = await provisionTestTenant(admin, 'links');
    other = await provisionTestTenant(admin, 'links-b');
    ({ app, port } = await startPortal());
    queue = new Queue(EMAIL_QUEUE, { connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') });
  });

  afterAll(async () => {
    await queue.close();
    await app.close();
    await admin.end();
    await app_.end();
  });

  const client = (slug = tenant.slug) => new PortalClient(port, `${slug}.localhost`);

  async function userOf(t: TestTenant, email: string) {
    const result = await admin.query<{ id: string; status: string; session_version: number; password_hash: string | null }>(
      'SELECT id, status, session_version, password_hash FROM portal_users WHERE tenant_id = $1 AND email = $2',
      [t.tenantId, email],
    );
    return result.rows[0];
  }

  /** Creates a link as the worker leaves it after sending: the hash stored, the token in hand. */
  async function issueLink(
    t: TestTenant,
    userId: string,
    options: { purpose?: string; expiresIn?: string; voided?: boolean; used?: boolean } = {},
  ): Promise<string> {
    const { token, hash } = newAccessToken();
    await admin.query(
      `INSERT INTO access_tokens (tenant_id, purpose, portal_user_id, token_hash, expires_at, voided_at, used_at)
       VALUES ($1, $2, $3, $4, now() + $5::interval, $6, $7)`,
      [
        t.tenantId,
        options.purpose ?? 'invitation',
        userId,
        hash,
        options.expiresIn ?? '7 days',
        options.voided ? new Date() : null,
        options.used ? new Date() : null,
      ],
    );
    return token;
  }

  async function invitedUser(t: TestTenant, email: string): Promise<string> {
    const company = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 ORDER BY external_id LIMIT 1', [
      t.tenantId,
    ]);
    const created = await admin.query<{ id: string }>(
      `INSERT INTO portal_users (tenant_id, company_id, email, status, invited_at) VALUES ($1, $2, $3, 'invited', now()) RETURNING id`,
      [t.tenantId, company.rows[0].id, email],
    );
    return created.rows[0].id;
  }

  async function submitPassword(browser: PortalClient, token: string, password: string, confirmation = password) {
    const page = await browser.get(`/set-password?token=${token}`);
    return browser.request('/set-password', { form: { _csrf: csrfFrom(page.body), token, password, confirmation } });
  }

  it('lets an invited user choose a password, signs them in and activates them', async () => {
    const userId = await invitedUser(tenant, 'new.customer@links.example');
    const token = await issueLink(tenant, userId);
    const browser = client();

    const page = await browser.get(`/set-password?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('new.customer@links.example');
    expect(page.headers['cache-control']).toContain('no-store');

    const saved = await submitPassword(browser, token, NEW_PASSWORD);
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/?welcome=1');
    expect((await browser.get('/')).status).toBe(200);

    const user = await userOf(tenant, 'new.customer@links.example');
    expect(user.status).toBe('active');
    const activity = await admin.query('SELECT action FROM activity_events WHERE tenant_id = $1 AND actor_id = $2', [tenant.tenantId, userId]);
    expect(activity.rows.map((row) => row.action)).toContain('auth.invitation_accepted');

    const again = client();
    expect((await again.login('new.customer@links.example', NEW_PASSWORD)).status).toBe(303);
  });

  it('rejects a weak, common or email-like password with the reason and keeps the link', async () => {
    const userId = await invitedUser(tenant, 'weak.choice@links.example');
    const token = await issueLink(tenant, userId);
    const browser = client();
    for (const [password, reason] of [
      ['short1!', 'at least 12 characters'],
      ['password1234', 'commonly used'],
      ['weak.choice@links.example', 'your email address'],
      ['aaaaaaaaaaaaaaaa', 'too easy to guess'],
    ]) {
      const response = await submitPassword(browser, token, password);
      expect({ password, status: response.status }).toEqual({ password, status: 400 });
      expect(response.body).toContain(reason);
    }
    const mismatch = await submitPassword(browser, token, NEW_PASSWORD, `${NEW_PASSWORD}x`);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toContain('does not match');
    expect((await userOf(tenant, 'weak.choice@links.example')).status).toBe('invited');
    expect((await submitPassword(browser, token, NEW_PASSWORD)).status).toBe(303);
  });

  it('shows one page for reused, expired, voided, tampered and foreign links', async () => {
    const userId = await invitedUser(tenant, 'many.links@links.example');
    const used = await issueLink(tenant, userId);
    expect((await submitPassword(client(), used, NEW_PASSWORD)).status).toBe(303);

    const expired = await issueLink(tenant, userId, { purpose: 'password_reset', expiresIn: '-1 minute' });
    const voided = await issueLink(tenant, userId, { purpose: 'password_reset', voided: true });
    const live = await issueLink(tenant, userId, { purpose: 'password_reset' });
    const tampered = `${live.slice(0, -1)}${live.endsWith('A') ? 'B' : 'A'}`;
    const foreignUser = await invitedUser(other, 'foreign@links-b.example');
    const foreign = await issueLink(other, foreignUser);

    const cases = { reused: used, expired, voided, tampered, foreign, garbage: 'not-a-token', empty: '' };
    const bodies = new Set<string>();
    for (const [name, token] of Object.entries(cases)) {
      const browser = client();
      const shown = await browser.get(`/set-password?token=${encodeURIComponent(token)}`);
      expect({ name, status: shown.status }).toEqual({ name, status: 410 });
      expect(shown.body).toContain(INVALID_HEADING);
      bodies.add(shown.body.replace(/name="_csrf" value="[^"]+"/g, '').replace(/nonce-[^']+/g, ''));

      const login = await browser.get('/login');
      const posted = await browser.request('/set-password', {
        form: { _csrf: csrfFrom(login.body), token, password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
      });
      expect({ name, status: posted.status }).toEqual({ name, status: 410 });
    }
    expect(bodies.size).toBe(1);

    // The foreign user is untouched on its own tenant, and the tenant's own link still works there.
    expect((await userOf(other, 'foreign@links-b.example')).status).toBe('invited');
    expect((await submitPassword(client(other.slug), foreign, NEW_PASSWORD)).status).toBe(303);
  });

  it('spends a link once under concurrent submissions', async () => {
    const userId = await invitedUser(tenant, 'double.click@links.example');
    const token = await issueLink(tenant, userId);
    const browsers = [client(), client(), client()];
    const forms = await Promise.all(browsers.map((browser) => browser.get(`/set-password?token=${token}`)));
    const results = await Promise.all(
      browsers.map((browser, index) =>
        browser.request('/set-password', {
          form: { _csrf: csrfFrom(forms[index].body), token, password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
        }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual([303, 410, 410]);
    expect((await userOf(tenant, 'double.click@links.example')).session_version).toBe(2);
  });

  it('lifts a sign-in lockout once a new password is set', async () => {
    const email = 'locked.out@links.example';
    const userId = await invitedUser(tenant, email);
    await admin.query(`UPDATE portal_users SET status = 'active', password_hash = 'x' WHERE id = $1`, [userId]);
    for (let attempt = 0; attempt < 6; attempt += 1) {
      expect((await client().login(email, 'wrong-password-guess')).status).toBe(401);
    }
    const token = await issueLink(tenant, userId, { purpose: 'password_reset' });
    expect((await submitPassword(client(), token, NEW_PASSWORD)).status).toBe(303);
    expect((await client().login(email, NEW_PASSWORD)).status).toBe(303);
    const user = await admin.query('SELECT last_login_at IS NOT NULL AS signed_in FROM portal_users WHERE id = $1', [userId]);
    expect(user.rows[0].signed_in).toBe(true);
  });

  it('refuses a link of a disabled user', async () => {
    const userId = await invitedUser(tenant, 'disabled.later@links.example');
    const token = await issueLink(tenant, userId);
    await admin.query(`UPDATE portal_users SET status = 'disabled' WHERE id = $1`, [userId]);
    expect((await client().get(`/set-password?token=${token}`)).status).toBe(410);
  });

  it('ends an open session on its next request when staff reset access', async () => {
    const email = tenant.companies[1].email;
    const browser = client();
    expect((await browser.login(email, TEST_PASSWORD)).status).toBe(303);
    expect((await browser.get('/invoices')).status).toBe(200);

    const user = await userOf(tenant, email);
    const staff = await admin.query<{ id: string }>('SELECT id FROM staff_users WHERE tenant_id = $1', [tenant.tenantId]);
    const client_ = await app_.connect();
    try {
      await client_.query('BEGIN');
      await client_.query(`SELECT set_config('role', 'portal_staff', true), set_config('app.tenant_id', $1, true)`, [tenant.tenantId]);
      const outcome = await resetPortalAccess(executorFor(client_), user.id, { staffUserId: staff.rows[0].id, ttlMinutes: 60 });
      expect(outcome.outcome).toBe('sent');
      await client_.query('COMMIT');
    } finally {
      client_.release();
    }

    const after = await browser.get('/invoices');
    expect(after.status).toBe(303);
    expect(after.headers.location).toContain('/login');
    // The old password is gone too.
    expect((await client().login(email, TEST_PASSWORD)).status).toBe(401);
    const reset = await userOf(tenant, email);
    expect(reset.password_hash).toBeNull();
    expect(reset.session_version).toBe(user.session_version + 1);
  });

  describe('forgot password', () => {
    /** Waits until `count` reset emails to `email` are recorded; the form answers before it records them. */
    async function awaitResetRows(t: TestTenant, email: string, count: number) {
      const deadline = Date.now() + 10_000;
      let rows = await resetRows(t, email);
      while (rows.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        rows = await resetRows(t, email);
      }
      // A little longer, so a row that should not exist has had time to appear.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return resetRows(t, email);
    }

    async function resetRows(t: TestTenant, email: string) {
      const result = await admin.query<{ id: string; status: string }>(
        `SELECT d.id, d.status FROM email_deliveries d WHERE d.tenant_id = $1 AND d.kind = 'password_reset' AND d.recipient = $2`,
        [t.tenantId, email],
      );
      return result.rows;
    }

    it('answers the same for known and unknown emails and queues one email for a known one', async () => {
      const email = tenant.companies[0].email;
      const known = await client().submit('/forgot-password', '/forgot-password', { email: email.toUpperCase() });
      const unknown = await client().submit('/forgot-password', '/forgot-password', { email: 'nobody@links.example' });
      expect(known.status).toBe(200);
      expect(unknown.status).toBe(200);
      const strip = (body: string) => body.replace(/name="_csrf" value="[^"]+"/g, '');
      expect(strip(known.body)).toBe(strip(unknown.body));

      const rows = await awaitResetRows(tenant, email, 1);
      expect(rows).toHaveLength(1);
      expect(await resetRows(tenant, 'nobody@links.example')).toHaveLength(0);
      const job = await queue.getJob(rows[0].id);
      expect(job?.data).toEqual({ tenantId: tenant.tenantId, deliveryId: rows[0].id });
      await queue.remove(rows[0].id);

      const tokens = await admin.query(
        `SELECT t.token_hash, t.expires_at - now() < interval '61 minutes' AS short FROM access_tokens t
         JOIN portal_users u ON u.tenant_id = t.tenant_id AND u.id = t.portal_user_id
         WHERE u.email = $1 AND t.purpose = 'password_reset' AND t.voided_at IS NULL`,
        [email],
      );
      expect(tokens.rows).toEqual([{ token_hash: null, short: true }]);
    });

    it('leaves an invitation link open when a visitor asks for a reset', async () => {
      const email = 'keeps.invitation@links.example';
      const userId = await invitedUser(tenant, email);
      const invitation = await issueLink(tenant, userId);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await client().submit('/forgot-password', '/forgot-password', { email });
      }
      expect(await awaitResetRows(tenant, email, 3)).toHaveLength(3);
      expect((await client().get(`/set-password?token=${invitation}`)).status).toBe(200);

      // Spending the invitation closes the reset links that are still open.
      expect((await submitPassword(client(), invitation, NEW_PASSWORD)).status).toBe(303);
      const open = await admin.query(
        'SELECT count(*)::int AS n FROM access_tokens WHERE portal_user_id = $1 AND used_at IS NULL AND voided_at IS NULL',
        [userId],
      );
      expect(open.rows[0].n).toBe(0);
    });

    it('stops sending after the per-email limit', async () => {
      const email = 'limit.me@links.example';
      await invitedUser(tenant, email);
      for (let attempt = 0; attempt < 8; attempt += 1) {
        expect((await client().submit('/forgot-password', '/forgot-password', { email })).status).toBe(200);
      }
      const rows = await awaitResetRows(tenant, email, 5);
      expect(rows).toHaveLength(5);
      await Promise.all(rows.map((row) => queue.remove(row.id)));
    });

    it('handles a NUL byte in an email as a wrong address', async () => {
      expect((await client().submit('/forgot-password', '/forgot-password', { email: 'nul\u0000@links.example' })).status).toBe(200);
      expect((await client().login('nul\u0000@links.example', 'whatever-password')).status).toBe(401);
    });

    it('rejects a form without its CSRF token', async () => {
      const response = await client().request('/forgot-password', { form: { email: tenant.companies[0].email } });
      expect(response.status).toBe(403);
    });
  });

  describe('reset email', () => {
    let mail: MailWorker;

    beforeAll(async () => {
      mail = await startMailWorker();
    }, 60_000);

    afterAll(() => mail.stop());

    it('links to the primary host whatever Host the request came on', async () => {
      const email = tenant.companies[1].email;
      await admin.query(`UPDATE portal_users SET status = 'active' WHERE tenant_id = $1 AND email = $2`, [tenant.tenantId, email]);
      const browser = client();
      const page = await browser.get('/forgot-password');
      const response = await browser.request('/forgot-password', {
        form: { _csrf: csrfFrom(page.body), email },
        headers: { 'x-forwarded-host': 'attacker.example', forwarded: 'host=attacker.example' },
      });
      expect(response.status).toBe(200);

      const [message] = await waitForMail(mail.received, email);
      expect(decodeQuotedPrintable(message.raw)).not.toContain('attacker');
      const link = linkIn(message, '/set-password');
      expect(link.origin).toBe(`http://portal.${tenant.slug}.test:3000`);

      // The emailed link works on the tenant, once.
      const portalBrowser = client();
      const form = await portalBrowser.get(`${link.pathname}${link.search}`);
      expect(form.status).toBe(200);
      const saved = await portalBrowser.request('/set-password', {
        form: { _csrf: csrfFrom(form.body), token: link.searchParams.get('token')!, password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
      });
      expect(saved.status).toBe(303);
      expect((await client().login(email, NEW_PASSWORD)).status).toBe(303);
    });
  });
});
