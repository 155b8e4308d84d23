import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { loginFailedMessage } from '../../apps/portal/src/auth/auth.controller';
import { RECORD_KINDS } from '../../libs/records/src/kinds';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, startPortal } from '../support/portal-harness';

const LOGIN_FAILED_MESSAGE = loginFailedMessage(900);

describe('portal sign-in', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'auth');
    ({ app, port } = await startPortal());
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  const newClient = (slug = tenant.slug) => new PortalClient(port, `${slug}.localhost`);
  const sessionCookie = (client: PortalClient) => /portal_session=([^;]+)/.exec(client.cookieHeader())?.[1];

  it('signs in and out', async () => {
    const client = newClient();
    const login = await client.login(tenant.companies[0].email, TEST_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    expect((await client.get('/')).status).toBe(200);

    const logout = await client.submit('/', '/logout', {});
    expect(logout.status).toBe(303);
    const after = await client.get('/invoices');
    expect(after.status).toBe(303);
    expect(after.headers.location).toContain('/login');
  });

  it('sends visitors of every page to login', async () => {
    const client = newClient();
    for (const path of ['/', ...RECORD_KINDS.map((kind) => `/${kind.slug}`)]) {
      const response = await client.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 303 });
      expect({ path, location: response.headers.location }).toEqual({
        path,
        location: `/login?next=${encodeURIComponent(path)}`,
      });
    }
  });

  it('issues a new session id at login', async () => {
    const client = newClient();
    await client.get('/login');
    const before = sessionCookie(client);
    await client.login(tenant.companies[0].email, TEST_PASSWORD);
    const after = sessionCookie(client);
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('sets a host-only HttpOnly SameSite cookie', async () => {
    const client = newClient();
    const page = await client.get('/login');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('keeps signed-in pages out of caches', async () => {
    const client = newClient();
    await client.login(tenant.companies[0].email, TEST_PASSWORD);
    for (const path of ['/', '/invoices']) {
      const response = await client.get(path);
      expect({ path, cacheControl: response.headers['cache-control'] }).toEqual({ path, cacheControl: 'no-store' });
    }
  });

  it('gives visitor sessions a short lifetime', async () => {
    const page = await newClient().get('/login');
    const cookie = String(page.headers['set-cookie']);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(cookie)![1]);
    expect(expires - Date.now()).toBeLessThanOrEqual(30 * 60 * 1000 + 5000);

    const signedIn = await newClient().login(tenant.companies[0].email, TEST_PASSWORD);
    const signedInExpires = Date.parse(/Expires=([^;]+)/i.exec(String(signedIn.headers['set-cookie']))![1]);
    expect(signedInExpires - Date.now()).toBeGreaterThan(60 * 60 * 1000);
  });

  it('shows one message for wrong password and unknown email', async () => {
    const wrong = await newClient().login(tenant.companies[0].email, 'not-the-password');
    const unknown = await newClient().login('nobody@nowhere.example', TEST_PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toContain(LOGIN_FAILED_MESSAGE);
    expect(unknown.body).toContain(LOGIN_FAILED_MESSAGE);
  });

  it('rejects a login without a CSRF token', async () => {
    const client = newClient();
    await client.get('/login');
    const response = await client.request('/login', {
      form: { email: tenant.companies[0].email, password: TEST_PASSWORD },
    });
    expect(response.status).toBe(403);
    expect(response.body).not.toContain('at ');
  });

  it('rejects a CSRF token from another session', async () => {
    const victim = newClient();
    const attacker = newClient();
    const attackerToken = csrfFrom((await attacker.get('/login')).body);
    await victim.get('/login');
    const response = await victim.request('/login', {
      form: { _csrf: attackerToken, email: tenant.companies[0].email, password: TEST_PASSWORD },
    });
    expect(response.status).toBe(403);
  });

  it('rejects logout without a CSRF token', async () => {
    const client = newClient();
    await client.login(tenant.companies[0].email, TEST_PASSWORD);
    const response = await client.request('/logout', { method: 'POST', form: {} });
    expect(response.status).toBe(403);
    expect((await client.get('/')).status).toBe(200);
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)'])(
    'redirects only to local paths, not %s',
    async (next) => {
      const client = newClient();
      const response = await client.submit('/login', '/login', {
        email: tenant.companies[0].email,
        password: TEST_PASSWORD,
        next,
      });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/');
    },
  );

  it('returns to the requested page after login', async () => {
    const client = newClient();
    const redirect = await client.get('/invoices?status=paid');
    expect(redirect.headers.location).toBe('/login?next=%2Finvoices%3Fstatus%3Dpaid');
    const response = await client.submit(String(redirect.headers.location), '/login', {
      email: tenant.companies[0].email,
      password: TEST_PASSWORD,
      next: '/invoices?status=paid',
    });
    expect(response.headers.location).toBe('/invoices?status=paid');
  });

  it('locks out with the same message after repeated failures', async () => {
    const locked = await provisionTestTenant(admin, 'lock');
    const email = locked.companies[0].email;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await newClient(locked.slug).login(email, 'wrong-password')).status).toBe(401);
    }
    const rightPassword = await newClient(locked.slug).login(email, TEST_PASSWORD);
    expect(rightPassword.status).toBe(401);
    expect(rightPassword.body).toContain(LOGIN_FAILED_MESSAGE);
  });

  it('counts parallel attempts before checking passwords', async () => {
    const target = await provisionTestTenant(admin, 'race');
    const email = target.companies[0].email;
    const clients = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const client = newClient(target.slug);
        const page = await client.get('/login');
        return { client, token: csrfFrom(page.body) };
      }),
    );
    const [right, ...wrong] = clients;
    const guesses = wrong.map(({ client, token }) =>
      client.request('/login', { form: { _csrf: token, email, password: 'wrong-password', next: '/' } }),
    );
    // The right password arrives while the wrong ones are still being hashed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answer = await right.client.request('/login', {
      form: { _csrf: right.token, email, password: TEST_PASSWORD, next: '/' },
    });
    await Promise.all(guesses);
    expect(answer.status).toBe(401);
  });

  it('keeps an address open after failures on other accounts', async () => {
    const office = await provisionTestTenant(admin, 'office');
    for (let attempt = 0; attempt < 6; attempt += 1) {
      await newClient(office.slug).login(`nobody-${attempt}@office.example`, 'wrong-password');
    }
    expect((await newClient(office.slug).login(office.companies[0].email, TEST_PASSWORD)).status).toBe(303);
  });

  it('keeps other accounts unlocked', async () => {
    const response = await newClient().login(tenant.companies[1].email, TEST_PASSWORD);
    expect(response.status).toBe(303);
  });

  it('refuses disabled users with the same message', async () => {
    await admin.query("UPDATE portal_users SET status = 'disabled' WHERE tenant_id = $1 AND email = $2", [
      tenant.tenantId,
      tenant.companies[1].email,
    ]);
    const response = await newClient().login(tenant.companies[1].email, TEST_PASSWORD);
    expect(response.status).toBe(401);
    expect(response.body).toContain(LOGIN_FAILED_MESSAGE);
  });
});
