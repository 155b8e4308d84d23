import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { hashPassword } from '../../libs/auth/src/passwords';
import { formatterFor } from '../../libs/locale/src';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, startConsole } from '../support/portal-harness';

const CONSOLE_HOST = 'console.localhost';

interface EventSeed {
  action?: string;
  actorType?: string;
  email?: string | null;
  companyId?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  occurredAt?: string;
}

describe('console activity log', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenantA: TestTenant;
  let tenantB: TestTenant;
  let companyA1: string;
  let companyA2: string;

  beforeAll(async () => {
    admin = adminPool();
    tenantA = await provisionTestTenant(admin, 'act-a');
    tenantB = await provisionTestTenant(admin, 'act-b');
    const hash = await hashPassword(TEST_PASSWORD);
    for (const role of ['admin', 'member']) {
      await admin.query(
        `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, $3, $4, 'active', $5)`,
        [tenantA.tenantId, `${role}@${tenantA.slug}.example`, `Staff ${role}`, role, hash],
      );
    }
    companyA1 = await companyId(tenantA, 0);
    companyA2 = await companyId(tenantA, 1);
    ({ app, port } = await startConsole());
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  async function companyId(tenant: TestTenant, index: number): Promise<string> {
    const result = await admin.query<{ id: string }>(
      'SELECT id FROM customer_companies WHERE tenant_id = $1 AND external_id = $2',
      [tenant.tenantId, tenant.companies[index].key],
    );
    return result.rows[0].id;
  }

  /** Inserts events as the migrating user, which row-level security does not bind. */
  async function seed(tenant: TestTenant, events: EventSeed[]): Promise<void> {
    for (const event of events) {
      await admin.query(
        `INSERT INTO activity_events (tenant_id, occurred_at, action, actor_type, actor_email, company_id,
           subject_type, subject_id, ip)
         VALUES ($1, COALESCE($2::timestamptz, now()), $3, $4, $5, $6, $7, $8, '198.51.100.20')`,
        [
          tenant.tenantId,
          event.occurredAt ?? null,
          event.action ?? 'record.viewed',
          event.actorType ?? 'portal_user',
          event.email ?? null,
          event.companyId ?? null,
          event.subjectType ?? null,
          event.subjectId ?? null,
        ],
      );
    }
  }

  const client = () => new PortalClient(port, CONSOLE_HOST);

  async function signedIn(role = 'owner'): Promise<PortalClient> {
    const staff = client();
    const response = await staff.submit('/login', '/login', {
      workspace: tenantA.slug,
      email: `${role}@${tenantA.slug}.example`,
      password: TEST_PASSWORD,
      next: '/',
    });
    expect(response.status).toBe(303);
    return staff;
  }

  async function staffEvents(tenantId: string, action: string, email: string) {
    const result = await admin.query<{ actor_type: string; actor_id: string | null; ip: string; details: object }>(
      `SELECT actor_type, actor_id, host(ip) AS ip, details FROM activity_events
       WHERE tenant_id = $1 AND action = $2 AND actor_email = $3`,
      [tenantId, action, email],
    );
    return result.rows;
  }

  /** Actor emails of the listed events, in page order. */
  function listedEmails(html: string, domain: string): string[] {
    const pattern = new RegExp(`[a-z0-9._-]+@${domain.replace(/\./g, '\\.')}`, 'g');
    const table = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
    return table.match(pattern) ?? [];
  }

  /** Returns the href of the Older link, with the HTML escapes that Handlebars writes undone. */
  function olderLink(html: string): string | null {
    const match = /href="(\/activity\?[^"]*after=[^"]+)"/.exec(html);
    return match ? match[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&') : null;
  }

  it('records staff sign-in and failure', async () => {
    const email = `admin@${tenantA.slug}.example`;
    const failed = await client().submit('/login', '/login', {
      workspace: tenantA.slug,
      email,
      password: 'not-the-password',
      next: '/',
    });
    expect(failed.status).toBe(401);
    await signedIn('admin');

    const failures = await staffEvents(tenantA.tenantId, 'auth.staff_login_failed', email);
    expect(failures).toHaveLength(1);
    expect(failures[0].actor_type).toBe('visitor');
    expect(failures[0].actor_id).toBeNull();
    expect(failures[0].ip).toBe('127.0.0.1');
    expect(failures[0].details).toEqual({ reason: 'invalid' });

    const staffId = await admin.query<{ id: string }>('SELECT id FROM staff_users WHERE tenant_id = $1 AND email = $2', [
      tenantA.tenantId,
      email,
    ]);
    const logins = await staffEvents(tenantA.tenantId, 'auth.staff_login', email);
    expect(logins).toHaveLength(1);
    expect(logins[0].actor_type).toBe('staff');
    expect(logins[0].actor_id).toBe(staffId.rows[0].id);
    expect(logins[0].ip).toBe('127.0.0.1');
  });

  it('records nothing for an unknown workspace', async () => {
    const email = `owner@${tenantA.slug}.example`;
    const before = await admin.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM activity_events WHERE actor_email = $1',
      [email],
    );
    const response = await client().submit('/login', '/login', {
      workspace: 'no-such-workspace',
      email,
      password: TEST_PASSWORD,
      next: '/',
    });
    expect(response.status).toBe(401);

    const after = await admin.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM activity_events WHERE actor_email = $1',
      [email],
    );
    expect(after.rows[0].count).toBe(before.rows[0].count);
  });

  it('lists events of its own tenant only', async () => {
    await seed(tenantA, [{ email: 'visible@own.example', companyId: companyA1 }]);
    await seed(tenantB, [{ email: 'hidden@other.example' }]);
    const staff = await signedIn();

    const page = await staff.get('/activity');
    expect(page.status).toBe(200);
    expect(page.body).toContain('visible@own.example');
    expect(page.body).toContain(`Company ${tenantA.companies[0].key}`);
    expect(page.body).toContain('198.51.100.20');
    expect(page.body).not.toContain('hidden@other.example');
    expect(page.body).not.toContain(`owner@${tenantB.slug}.example`);
  });

  it('shows time, label and record link', async () => {
    const invoice = await admin.query<{ id: string }>('SELECT id FROM invoices WHERE tenant_id = $1 AND company_id = $2 LIMIT 1', [
      tenantA.tenantId,
      companyA1,
    ]);
    const occurredAt = '2025-06-15T04:00:00Z';
    await seed(tenantA, [
      { email: 'linked@own.example', companyId: companyA1, subjectType: 'invoices', subjectId: invoice.rows[0].id, occurredAt },
    ]);
    const staff = await signedIn();

    const page = await staff.get('/activity?email=linked%40own.example');
    expect(page.body).toContain(`href="/records/invoices/${invoice.rows[0].id}"`);
    expect(page.body).toContain('Record viewed');
    // 04:00 UTC is 23:00 the day before in the tenant's zone, America/Chicago.
    const expectedTime = formatterFor('en-US', 'America/Chicago').dateTime(occurredAt);
    expect(expectedTime).toContain('Jun 14, 2025');
    expect(page.body).toContain(expectedTime);
  });

  it('filters by action, actor, company, email and date', async () => {
    await seed(tenantA, [
      { email: 'f-view-1@filter.example', companyId: companyA1, occurredAt: '2025-03-10T18:00:00Z' },
      { email: 'f-view-2@filter.example', companyId: companyA2, occurredAt: '2025-03-12T18:00:00Z' },
      { email: 'f-fail@filter.example', action: 'auth.login_failed', actorType: 'visitor', occurredAt: '2025-03-11T18:00:00Z' },
      // 2025-03-13 03:00 UTC is still 2025-03-12 in Chicago.
      { email: 'f-late@filter.example', companyId: companyA1, occurredAt: '2025-03-13T03:00:00Z' },
    ]);
    const staff = await signedIn();
    const listed = async (query: string) =>
      listedEmails((await staff.get(`/activity?email=filter.example&${query}`)).body, 'filter.example').sort();

    expect(await listed('')).toEqual(['f-fail@filter.example', 'f-late@filter.example', 'f-view-1@filter.example', 'f-view-2@filter.example']);
    expect(await listed('action=auth.login_failed')).toEqual(['f-fail@filter.example']);
    expect(await listed('actor_type=visitor')).toEqual(['f-fail@filter.example']);
    expect(await listed(`company=${companyA2}`)).toEqual(['f-view-2@filter.example']);
    expect(await listed('from=2025-03-11&to=2025-03-11')).toEqual(['f-fail@filter.example']);
    expect(await listed('from=2025-03-12&to=2025-03-12')).toEqual(['f-late@filter.example', 'f-view-2@filter.example']);
    expect(await listed('to=2025-03-10')).toEqual(['f-view-1@filter.example']);
    const byEmail = await staff.get('/activity?email=F-VIEW-1%40filter');
    expect(listedEmails(byEmail.body, 'filter.example')).toEqual(['f-view-1@filter.example']);

    const nothing = await staff.get('/activity?email=nobody-matches-this');
    expect(nothing.body).toContain('No activity matches these filters.');
  });

  it('matches email text literally', async () => {
    await seed(tenantA, [{ email: 'under_score@literal.example' }, { email: 'underxscore@literal.example' }]);
    const staff = await signedIn();
    const page = await staff.get('/activity?email=under_score');
    expect(listedEmails(page.body, 'literal.example')).toEqual(['under_score@literal.example']);
  });

  it.each([
    ['an upper-case action', 'action=Auth.Login', 'action'],
    ['a repeated action', 'action=auth.login&action=auth.login_failed', 'action'],
    ['an unknown actor type', 'actor_type=robot', 'actor_type'],
    ['a malformed company', 'company=not-a-uuid', 'company'],
    ['a 255-character email', `email=${'x'.repeat(255)}`, 'email'],
    ['an impossible date', 'from=2025-02-30', 'from'],
    ['a date before 1900', 'from=0001-01-01', 'from'],
    ['a word for a date', 'to=yesterday', 'to'],
    ['an end before the start', 'from=2025-03-12&to=2025-03-11', 'to'],
    ['a foreign cursor', 'after=not-a-cursor', 'after'],
  ])('rejects %s with 400', async (_case, query, field) => {
    const staff = await signedIn();
    const response = await staff.get(`/activity?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toContain(`<code>${field}</code>`);
  });

  it('pages through older events', async () => {
    // Groups of three share a timestamp, so ties are ordered by id.
    const seeded = Array.from({ length: 120 }, (_, index) => ({
      email: `p${String(index).padStart(3, '0')}@paging.example`,
      occurredAt: new Date(Date.UTC(2024, 0, 1, 0, Math.floor(index / 3))).toISOString(),
    }));
    await seed(tenantA, seeded);
    const expected = await admin.query<{ actor_email: string }>(
      `SELECT actor_email FROM activity_events WHERE tenant_id = $1 AND actor_email LIKE '%@paging.example'
       ORDER BY occurred_at DESC, id DESC`,
      [tenantA.tenantId],
    );
    const staff = await signedIn();

    const pages: string[][] = [];
    let path: string | null = '/activity?email=paging.example';
    while (path && pages.length < 5) {
      const page = await staff.get(path);
      expect(page.status).toBe(200);
      pages.push(listedEmails(page.body, 'paging.example'));
      path = olderLink(page.body);
    }

    expect(pages.map((page) => page.length)).toEqual([50, 50, 20]);
    expect(pages.flat()).toEqual(expected.rows.map((row) => row.actor_email));
  });

  it('keeps members out', async () => {
    const member = await signedIn('member');
    expect((await member.get('/activity')).status).toBe(403);
    expect((await member.get('/')).body).not.toContain('href="/activity"');

    const owner = await signedIn();
    expect((await owner.get('/')).body).toContain('href="/activity"');
  });

  it('offers no way to change an entry', async () => {
    const staff = await signedIn();
    const page = await staff.get('/activity');
    const forms = page.body.match(/<form[^>]*>/g) ?? [];
    expect(forms.length).toBeGreaterThan(0);
    for (const form of forms) {
      const method = /method="([^"]+)"/.exec(form)?.[1];
      const action = /action="([^"]+)"/.exec(form)?.[1];
      expect({ form, ok: method === 'get' || action === '/logout' }).toEqual({ form, ok: true });
    }
    expect(page.body).not.toMatch(/\b(edit|delete|remove)\b/i);

    const token = csrfFrom(page.body);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await staff.request('/activity', { method, form: { _csrf: token } });
      expect({ method, status: response.status }).toEqual({ method, status: 404 });
    }
  });
});
