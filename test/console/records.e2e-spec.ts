import { request as httpRequest } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';

import { hashPassword } from '../../libs/auth/src/passwords';
import { DOCUMENT_QUEUE, EMAIL_QUEUE } from '../../libs/queue/src/queues';
import { adminPool, appPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, HttpResponse, PortalClient, startConsole } from '../support/portal-harness';
import { asRole } from '../support/roles';

const CONSOLE_HOST = 'console.localhost';

/** Every record kind: URL slug, table and the external id part the fixture manifest uses. */
const KINDS = [
  { slug: 'inspection-reports', table: 'inspection_reports', code: 'ir' },
  { slug: 'invoices', table: 'invoices', code: 'inv' },
  { slug: 'compliance', table: 'compliance_requirements', code: 'cr' },
  { slug: 'compliance-documents', table: 'compliance_documents', code: 'cd' },
  { slug: 'contracts', table: 'contracts', code: 'ct' },
  { slug: 'proposals', table: 'proposals', code: 'pr' },
  { slug: 'equipment', table: 'equipment', code: 'eq' },
  { slug: 'work-orders', table: 'work_orders', code: 'wo' },
  { slug: 'warranties', table: 'warranties', code: 'wr' },
  { slug: 'service-requests', table: 'service_requests', code: 'sr' },
];

interface DeliveryRow {
  id: string;
  tenant_id: string;
  kind: string;
  recipient: string;
  requested_by: string;
  details: Record<string, unknown>;
}

interface ActivityRow {
  action: string;
  actor_type: string;
  actor_id: string;
  company_id: string;
  subject_type: string;
  details: Record<string, unknown>;
}

interface RecordRef {
  id: string;
  companyId: string;
  table: string;
}

/** Decodes the entities Handlebars writes into attribute values. */
function unescapeHtml(text: string): string {
  return text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

describe('console records', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let customers: Pool;
  let tenantA: TestTenant;
  let tenantB: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    customers = appPool();
    tenantA = await provisionTestTenant(admin, 'records-a');
    tenantB = await provisionTestTenant(admin, 'records-b');

    await admin.query(
      `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'Member', 'member', 'active', $3)`,
      [tenantA.tenantId, `member@${tenantA.slug}.example`, await hashPassword(TEST_PASSWORD)],
    );
    // Company 1 gets a second active user, plus an invited and a disabled one who must get no email.
    // Company 2 is left with no active user at all.
    const companyOne = await companyIdOf(tenantA, 0);
    for (const [name, status] of [
      ['second', 'active'],
      ['pending', 'invited'],
      ['former', 'disabled'],
    ]) {
      await admin.query(`INSERT INTO portal_users (tenant_id, company_id, email, name, status) VALUES ($1, $2, $3, $4, $5)`, [
        tenantA.tenantId,
        companyOne,
        `${name}@${tenantA.slug}.example`,
        name,
        status,
      ]);
    }
    await admin.query(`UPDATE portal_users SET status = 'disabled' WHERE tenant_id = $1 AND email = $2`, [
      tenantA.tenantId,
      tenantA.companies[1].email,
    ]);

    ({ app, port } = await startConsole());
  });

  afterAll(async () => {
    try {
      const deliveries = await admin.query<{ id: string }>('SELECT id FROM email_deliveries WHERE tenant_id = ANY($1)', [
        [tenantA.tenantId, tenantB.tenantId],
      ]);
      await withEmailQueue(async (queue) => {
        for (const { id } of deliveries.rows) await (await queue.getJob(id))?.remove();
      });
      // Shares queue their documents too; no worker runs here to render them.
      await withQueue(DOCUMENT_QUEUE, async (queue) => {
        for (const job of await queue.getJobs(['waiting', 'delayed', 'prioritized'])) {
          if ([tenantA.tenantId, tenantB.tenantId].includes(job.data.tenantId)) await job.remove();
        }
      });
    } finally {
      await app.close();
      await admin.end();
      await customers.end();
    }
  });

  const client = () => new PortalClient(port, CONSOLE_HOST);

  async function signIn(tenant: TestTenant, email = `owner@${tenant.slug}.example`): Promise<PortalClient> {
    const staff = client();
    const response = await staff.submit('/login', '/login', { workspace: tenant.slug, email, password: TEST_PASSWORD, next: '/' });
    expect(response.status).toBe(303);
    return staff;
  }

  async function companyIdOf(tenant: TestTenant, index: number): Promise<string> {
    const result = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 AND external_id = $2', [
      tenant.tenantId,
      tenant.companies[index].key,
    ]);
    return result.rows[0].id;
  }

  /** Finds a fixture record: company index, kind code and whether the manifest shared it. */
  async function recordOf(tenant: TestTenant, table: string, code: string, companyIndex: number, shared: boolean): Promise<RecordRef> {
    const externalId = `${tenant.companies[companyIndex].key}-${code}-${shared ? 's' : 'u'}`;
    const result = await admin.query<{ id: string; company_id: string }>(
      `SELECT id, company_id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`,
      [tenant.tenantId, externalId],
    );
    return { id: result.rows[0].id, companyId: result.rows[0].company_id, table };
  }

  async function sharedAtOf(record: RecordRef): Promise<string | null> {
    const result = await admin.query<{ shared_at: Date | null }>(`SELECT shared_at FROM ${record.table} WHERE id = $1`, [record.id]);
    return result.rows[0].shared_at?.toISOString() ?? null;
  }

  /** Checks as portal_customer, under row-level security, whether the company's customers can read the record. */
  async function customerSees(tenant: TestTenant, record: RecordRef): Promise<boolean> {
    const result = await asRole(customers, 'portal_customer', { tenantId: tenant.tenantId, companyId: record.companyId }, (db) =>
      db.query(`SELECT 1 FROM ${record.table} WHERE id = $1`, [record.id]),
    );
    return result.rowCount === 1;
  }

  async function deliveriesFor(record: RecordRef) {
    const result = await admin.query<DeliveryRow>(
      `SELECT id, tenant_id, kind, recipient, requested_by, details FROM email_deliveries
       WHERE details->>'recordId' = $1 ORDER BY recipient`,
      [record.id],
    );
    return result.rows;
  }

  async function activityFor(record: RecordRef) {
    const result = await admin.query<ActivityRow>(
      `SELECT action, actor_type, actor_id, company_id, subject_type, details FROM activity_events
       WHERE subject_id = $1 ORDER BY occurred_at, id`,
      [record.id],
    );
    return result.rows;
  }

  async function staffIdOf(tenant: TestTenant, email: string): Promise<string> {
    const result = await admin.query<{ id: string }>('SELECT id FROM staff_users WHERE tenant_id = $1 AND email = $2', [tenant.tenantId, email]);
    return result.rows[0].id;
  }

  function withEmailQueue<T>(work: (queue: Queue) => Promise<T>): Promise<T> {
    return withQueue(EMAIL_QUEUE, work);
  }

  async function withQueue<T>(name: string, work: (queue: Queue) => Promise<T>): Promise<T> {
    const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const queue = new Queue(name, { connection });
    try {
      return await work(queue);
    } finally {
      await queue.close();
      await connection.quit();
    }
  }

  /** Posts a form whose fields may repeat, as a list of checkboxes does. */
  function postForm(staff: PortalClient, path: string, fields: Array<[string, string]>): Promise<HttpResponse> {
    const body = new URLSearchParams(fields).toString();
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          setHost: false,
          headers: {
            host: CONSOLE_HOST,
            cookie: staff.cookieHeader(),
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Posts a share or unshare form with the session's CSRF token, read from a list page. */
  async function post(staff: PortalClient, slug: string, record: RecordRef, action: 'share' | 'unshare'): Promise<HttpResponse> {
    const token = csrfFrom((await staff.get('/records/invoices')).body);
    return staff.request(`/records/${slug}/${record.id}/${action}`, { form: { _csrf: token } });
  }

  it('sends visitors to the login page', async () => {
    const response = await client().get('/records/invoices');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2Frecords%2Finvoices');
  });

  it('navigation links every kind', async () => {
    const page = await (await signIn(tenantA)).get('/');
    expect(page.body).toContain('<summary>Records</summary>');
    for (const kind of KINDS) expect(page.body).toContain(`href="/records/${kind.slug}"`);
  });

  it.each(KINDS)('$slug list and detail render', async ({ slug, table, code }) => {
    const staff = await signIn(tenantA);
    const ownShared = await recordOf(tenantA, table, code, 0, true);
    const ownHidden = await recordOf(tenantA, table, code, 1, false);
    const foreign = await recordOf(tenantB, table, code, 0, false);

    const list = await staff.get(`/records/${slug}`);
    expect(list.status).toBe(200);
    expect(list.body).toContain(`/records/${slug}/${ownShared.id}`);
    expect(list.body).toContain(`/records/${slug}/${ownHidden.id}`);
    expect(list.body).not.toContain(foreign.id);
    expect(list.body).toContain(`Company ${tenantA.companies[1].key}`);
    expect(list.body).toContain('Share selected');

    const hidden = await staff.get(`/records/${slug}/${ownHidden.id}`);
    expect(hidden.status).toBe(200);
    expect(hidden.body).toContain(`Company ${tenantA.companies[1].key}`);
    expect(hidden.body).toContain(`action="/records/${slug}/${ownHidden.id}/share"`);
    expect(hidden.body).toContain('Not shared');

    const shared = await staff.get(`/records/${slug}/${ownShared.id}`);
    expect(shared.status).toBe(200);
    expect(shared.body).toContain(`action="/records/${slug}/${ownShared.id}/unshare"`);
    expect(shared.body).toContain('Shared with');
  });

  it('list filters by state, company, search', async () => {
    const staff = await signIn(tenantA);
    const shared = await recordOf(tenantA, 'invoices', 'inv', 0, true);
    const hidden = await recordOf(tenantA, 'invoices', 'inv', 0, false);
    const otherCompany = await recordOf(tenantA, 'invoices', 'inv', 1, true);

    const unsharedOnly = await staff.get('/records/invoices?shared=no');
    expect(unsharedOnly.body).toContain(hidden.id);
    expect(unsharedOnly.body).not.toContain(shared.id);

    const sharedOnly = await staff.get('/records/invoices?shared=yes');
    expect(sharedOnly.body).toContain(shared.id);
    expect(sharedOnly.body).not.toContain(hidden.id);

    const byCompany = await staff.get(`/records/invoices?company=${shared.companyId}`);
    expect(byCompany.body).toContain(shared.id);
    expect(byCompany.body).not.toContain(otherCompany.id);

    const search = await staff.get(`/records/invoices?q=${encodeURIComponent(`${tenantA.companies[0].key}-INV-2`)}`);
    expect(search.body).toContain(hidden.id);
    expect(search.body).not.toContain(shared.id);

    const wildcard = await staff.get('/records/invoices?q=%25');
    expect(wildcard.body).toContain('No records match these filters.');
  });

  it.each([
    ['shared=maybe', 'shared'],
    ['company=not-a-uuid', 'company'],
    [`q=${'x'.repeat(101)}`, 'q'],
    ['q=a&q=b', 'q'],
    ['after=not-a-cursor', 'after'],
  ])('rejects the filter %s with 400', async (query, field) => {
    const response = await (await signIn(tenantA)).get(`/records/invoices?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toContain(`<code>${field}</code>`);
  });

  it('answers 404 for unknown kinds and ids', async () => {
    const staff = await signIn(tenantA);
    const foreign = await recordOf(tenantB, 'invoices', 'inv', 0, true);
    expect((await staff.get('/records/payments')).status).toBe(404);
    expect((await staff.get('/records/constructor')).status).toBe(404);
    expect((await staff.get('/records/invoices/not-a-uuid')).status).toBe(404);
    expect((await staff.get(`/records/invoices/${foreign.id}`)).status).toBe(404);
    const invoice = await recordOf(tenantA, 'invoices', 'inv', 0, true);
    expect((await staff.get(`/records/contracts/${invoice.id}`)).status).toBe(404);
  });

  it('share emails active company users', async () => {
    const staff = await signIn(tenantA);
    const invoice = await recordOf(tenantA, 'invoices', 'inv', 0, false);
    expect(await customerSees(tenantA, invoice)).toBe(false);

    const detail = await staff.get(`/records/invoices/${invoice.id}`);
    expect(detail.body).toContain('has 2 active portal users');
    expect(detail.body).toContain(`second@${tenantA.slug}.example`);
    expect(detail.body).not.toContain(`pending@${tenantA.slug}.example`);

    const response = await post(staff, 'invoices', invoice, 'share');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/records/invoices/${invoice.id}?done=shared`);
    expect(await sharedAtOf(invoice)).not.toBeNull();
    expect(await customerSees(tenantA, invoice)).toBe(true);

    const ownerId = await staffIdOf(tenantA, `owner@${tenantA.slug}.example`);
    const deliveries = await deliveriesFor(invoice);
    expect(deliveries.map((row) => row.recipient)).toEqual([`second@${tenantA.slug}.example`, tenantA.companies[0].email]);
    for (const delivery of deliveries) {
      expect(delivery.tenant_id).toBe(tenantA.tenantId);
      expect(delivery.kind).toBe('document_shared');
      expect(delivery.requested_by).toBe(ownerId);
      expect(delivery.details).toEqual({ kind: 'invoices', recordId: invoice.id, label: `Invoice ${tenantA.companies[0].key}-INV-2` });
    }
    await withEmailQueue(async (queue) => {
      for (const delivery of deliveries) {
        const job = await queue.getJob(delivery.id);
        expect(job?.data).toEqual({ tenantId: tenantA.tenantId, deliveryId: delivery.id });
      }
    });

    const activity = await activityFor(invoice);
    expect(activity).toHaveLength(1);
    expect(activity[0]).toMatchObject({
      action: 'record.shared',
      actor_type: 'staff',
      actor_id: ownerId,
      company_id: invoice.companyId,
      subject_type: 'invoices',
    });

    const page = await staff.get(response.headers.location as string);
    expect(page.body).toContain('The invoice is shared on the portal now.');
    expect(page.body).toContain(`action="/records/invoices/${invoice.id}/unshare"`);
  });

  it('second share sends nothing', async () => {
    const staff = await signIn(tenantA);
    const contract = await recordOf(tenantA, 'contracts', 'ct', 0, false);
    expect((await post(staff, 'contracts', contract, 'share')).status).toBe(303);
    const sharedAt = await sharedAtOf(contract);
    expect(await deliveriesFor(contract)).toHaveLength(2);

    const again = await post(staff, 'contracts', contract, 'share');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/records/contracts/${contract.id}?done=already_shared`);
    expect(await sharedAtOf(contract)).toBe(sharedAt);
    expect(await deliveriesFor(contract)).toHaveLength(2);
    expect(await activityFor(contract)).toHaveLength(1);
  });

  it('share after unshare emails nobody twice', async () => {
    const staff = await signIn(tenantA);
    const order = await recordOf(tenantA, 'work_orders', 'wo', 0, false);
    expect((await post(staff, 'work-orders', order, 'share')).status).toBe(303);
    const first = await deliveriesFor(order);
    expect(first.length).toBeGreaterThan(0);
    for (let round = 0; round < 3; round += 1) {
      expect((await post(staff, 'work-orders', order, 'unshare')).status).toBe(303);
      expect((await post(staff, 'work-orders', order, 'share')).status).toBe(303);
    }
    expect(await deliveriesFor(order)).toHaveLength(first.length);
    expect(await sharedAtOf(order)).not.toBeNull();
  });

  it('unshare hides record at once', async () => {
    const staff = await signIn(tenantA);
    const proposal = await recordOf(tenantA, 'proposals', 'pr', 0, true);
    expect(await customerSees(tenantA, proposal)).toBe(true);

    const response = await post(staff, 'proposals', proposal, 'unshare');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/records/proposals/${proposal.id}?done=unshared`);
    expect(await sharedAtOf(proposal)).toBeNull();
    expect(await customerSees(tenantA, proposal)).toBe(false);
    expect(await deliveriesFor(proposal)).toHaveLength(0);
    expect((await activityFor(proposal)).map((row) => row.action)).toEqual(['record.unshared']);

    const again = await post(staff, 'proposals', proposal, 'unshare');
    expect(again.headers.location).toBe(`/records/proposals/${proposal.id}?done=already_hidden`);
    expect(await activityFor(proposal)).toHaveLength(1);
  });

  it('unshared report hides inspection history', async () => {
    const staff = await signIn(tenantA);
    const report = await recordOf(tenantA, 'inspection_reports', 'ir', 0, true);
    const historyVisible = () =>
      asRole(customers, 'portal_customer', { tenantId: tenantA.tenantId, companyId: report.companyId }, async (db) => {
        const result = await db.query('SELECT 1 FROM equipment_inspections WHERE report_id = $1', [report.id]);
        return result.rowCount === 1;
      });
    expect(await historyVisible()).toBe(true);

    expect((await post(staff, 'inspection-reports', report, 'unshare')).status).toBe(303);
    expect(await historyVisible()).toBe(false);
    expect((await post(staff, 'inspection-reports', report, 'share')).status).toBe(303);
    expect(await historyVisible()).toBe(true);
  });

  it('share without active users emails nobody', async () => {
    const staff = await signIn(tenantA);
    const order = await recordOf(tenantA, 'work_orders', 'wo', 1, false);

    const detail = await staff.get(`/records/work-orders/${order.id}`);
    expect(detail.body).toContain('has no active portal user');
    expect(detail.body).toContain('name="invite_email"');

    const response = await post(staff, 'work-orders', order, 'share');
    expect(response.headers.location).toBe(`/records/work-orders/${order.id}?done=shared_without_email`);
    expect(await sharedAtOf(order)).not.toBeNull();
    expect(await deliveriesFor(order)).toHaveLength(0);
    const activity = await activityFor(order);
    expect(activity).toHaveLength(1);
    expect(activity[0].details).toMatchObject({ emails: 0 });
  });

  it('invites a portal user and shares in one step', async () => {
    const staff = await signIn(tenantA);
    const contract = await recordOf(tenantA, 'contracts', 'ct', 1, false);
    const page = await staff.get(`/records/contracts/${contract.id}`);
    const email = 'first.contact@records.example';
    const response = await staff.request(`/records/contracts/${contract.id}/share`, {
      form: { _csrf: csrfFrom(page.body), invite_email: email, invite_name: 'Casey First' },
    });
    expect(response.headers.location).toBe(`/records/contracts/${contract.id}?done=shared_and_invited`);
    expect(await sharedAtOf(contract)).not.toBeNull();
    const user = await admin.query('SELECT status, company_id, name FROM portal_users WHERE tenant_id = $1 AND email = $2', [
      tenantA.tenantId,
      email,
    ]);
    expect(user.rows).toEqual([{ status: 'invited', company_id: contract.companyId, name: 'Casey First' }]);
    const invitation = await admin.query<{ id: string }>(
      `SELECT id FROM email_deliveries WHERE tenant_id = $1 AND kind = 'invitation' AND recipient = $2`,
      [tenantA.tenantId, email],
    );
    expect(invitation.rows).toHaveLength(1);
    const job = await withEmailQueue((queue) => queue.getJob(invitation.rows[0].id));
    expect(job?.data).toEqual({ tenantId: tenantA.tenantId, deliveryId: invitation.rows[0].id });
  });

  it('shares nothing when the invitation in the same step is refused', async () => {
    const staff = await signIn(tenantA);
    const contract = await recordOf(tenantA, 'contracts', 'ct', 1, false);
    await admin.query('UPDATE contracts SET shared_at = NULL WHERE id = $1', [contract.id]);
    const activityBefore = (await activityFor(contract)).length;
    const page = await staff.get(`/records/contracts/${contract.id}`);
    const taken = await staff.request(`/records/contracts/${contract.id}/share`, {
      form: { _csrf: csrfFrom(page.body), invite_email: tenantA.companies[0].email },
    });
    expect(taken.status).toBe(400);
    expect(taken.body).toContain('already belongs to a portal user');
    const bad = await staff.request(`/records/contracts/${contract.id}/share`, {
      form: { _csrf: csrfFrom(page.body), invite_email: 'not an email' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('invite_email');
    expect(await sharedAtOf(contract)).toBeNull();
    expect(await activityFor(contract)).toHaveLength(activityBefore);

    const member = await signIn(tenantA, `member@${tenantA.slug}.example`);
    const memberPage = await member.get(`/records/contracts/${contract.id}`);
    expect(memberPage.body).not.toContain('name="invite_email"');
    const forbidden = await member.request(`/records/contracts/${contract.id}/share`, {
      form: { _csrf: csrfFrom(memberPage.body), invite_email: 'sneaky@records.example' },
    });
    expect(forbidden.status).toBe(403);
    expect(await sharedAtOf(contract)).toBeNull();
  });

  it('other tenant record gives 404', async () => {
    const staff = await signIn(tenantA);
    const hidden = await recordOf(tenantB, 'invoices', 'inv', 0, false);
    const shared = await recordOf(tenantB, 'invoices', 'inv', 0, true);
    const sharedAt = await sharedAtOf(shared);

    expect((await post(staff, 'invoices', hidden, 'share')).status).toBe(404);
    expect((await post(staff, 'invoices', shared, 'unshare')).status).toBe(404);
    expect(await sharedAtOf(hidden)).toBeNull();
    expect(await sharedAtOf(shared)).toBe(sharedAt);
    expect(await deliveriesFor(hidden)).toHaveLength(0);
    expect(await activityFor(hidden)).toHaveLength(0);
    expect(await activityFor(shared)).toHaveLength(0);
  });

  it('share without CSRF token rejected', async () => {
    const staff = await signIn(tenantA);
    const warranty = await recordOf(tenantA, 'warranties', 'wr', 1, false);
    await staff.get(`/records/warranties/${warranty.id}`);

    const missing = await staff.request(`/records/warranties/${warranty.id}/share`, { method: 'POST', form: {} });
    expect(missing.status).toBe(403);
    const forged = await staff.request(`/records/warranties/${warranty.id}/share`, { form: { _csrf: 'x'.repeat(43) } });
    expect(forged.status).toBe(403);
    expect(await sharedAtOf(warranty)).toBeNull();
    expect(await activityFor(warranty)).toHaveLength(0);
  });

  it('lets a member share', async () => {
    const member = await signIn(tenantA, `member@${tenantA.slug}.example`);
    const warranty = await recordOf(tenantA, 'warranties', 'wr', 0, false);
    expect((await member.get('/records/warranties')).status).toBe(200);

    const response = await post(member, 'warranties', warranty, 'share');
    expect(response.status).toBe(303);
    expect(await sharedAtOf(warranty)).not.toBeNull();
    expect(await deliveriesFor(warranty)).toHaveLength(2);
    expect((await activityFor(warranty))[0].actor_id).toBe(await staffIdOf(tenantA, `member@${tenantA.slug}.example`));
  });

  it('bulk share skips shared records', async () => {
    const staff = await signIn(tenantA);
    const first = await recordOf(tenantA, 'service_requests', 'sr', 0, false);
    const second = await recordOf(tenantA, 'service_requests', 'sr', 1, false);
    const already = await recordOf(tenantA, 'service_requests', 'sr', 0, true);
    const list = await staff.get('/records/service-requests?shared=no');
    expect(list.body).toContain(`name="ids" value="${first.id}"`);
    expect(list.body).not.toContain(`name="ids" value="${already.id}"`);

    const response = await postForm(staff, '/records/service-requests/share', [
      ['_csrf', csrfFrom(list.body)],
      ['company', ''],
      ['shared', 'no'],
      ['q', ''],
      ['ids', first.id],
      ['ids', second.id],
      ['ids', already.id],
    ]);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/records/service-requests?shared=no&done=bulk_shared&count=2&skipped=1');
    expect(await sharedAtOf(first)).not.toBeNull();
    expect(await sharedAtOf(second)).not.toBeNull();
    expect(await deliveriesFor(first)).toHaveLength(2);
    expect(await deliveriesFor(second)).toHaveLength(0);
    expect(await deliveriesFor(already)).toHaveLength(0);
    expect(await activityFor(already)).toHaveLength(0);

    const page = await staff.get(response.headers.location as string);
    expect(page.body).toContain('Shared 2 records');
    expect(page.body).toContain('1 selected record was shared already');
  });

  it('bulk share with foreign id changes nothing', async () => {
    const staff = await signIn(tenantA);
    const own = await recordOf(tenantA, 'equipment', 'eq', 0, false);
    const foreign = await recordOf(tenantB, 'equipment', 'eq', 0, false);
    const token = csrfFrom((await staff.get('/records/equipment')).body);

    const response = await postForm(staff, '/records/equipment/share', [
      ['_csrf', token],
      ['ids', own.id],
      ['ids', foreign.id],
    ]);
    expect(response.status).toBe(404);
    expect(await sharedAtOf(own)).toBeNull();
    expect(await sharedAtOf(foreign)).toBeNull();
    expect(await deliveriesFor(own)).toHaveLength(0);
  });

  it.each([
    ['no selection', [] as string[], 'ids'],
    ['a malformed id', ['not-a-uuid'], 'ids'],
  ])('rejects a bulk share with %s', async (_case, ids, field) => {
    const staff = await signIn(tenantA);
    const token = csrfFrom((await staff.get('/records/equipment')).body);
    const fields = ids.map((id): [string, string] => ['ids', id]);
    const response = await postForm(staff, '/records/equipment/share', [['_csrf', token], ...fields]);
    expect(response.status).toBe(400);
    expect(response.body).toContain(`<code>${field}</code>`);
  });

  it('list pages forward and back', async () => {
    const tenant = await provisionTestTenant(admin, 'records-p', 1);
    const companyId = await companyIdOf(tenant, 0);
    // Pairs of invoices share an issue date, so the id decides their order.
    for (let index = 0; index < 30; index += 1) {
      await admin.query(
        `INSERT INTO invoices (tenant_id, company_id, number, issued_on, due_on, currency)
         VALUES ($1, $2, $3, current_date - $4::int, current_date, 'USD')`,
        [tenant.tenantId, companyId, `PAGE-${index}`, Math.floor(index / 2)],
      );
    }
    const all = await admin.query<{ id: string }>('SELECT id FROM invoices WHERE tenant_id = $1 ORDER BY issued_on DESC, id DESC', [
      tenant.tenantId,
    ]);
    const staff = await signIn(tenant);
    const idsOn = (page: HttpResponse) => [...page.body.matchAll(/href="\/records\/invoices\/([0-9a-f-]{36})"/g)].map((match) => match[1]);
    const linkOn = (page: HttpResponse, rel: string) => {
      const match = new RegExp(`href="([^"]+)" rel="${rel}"`).exec(page.body);
      return match ? unescapeHtml(match[1]) : null;
    };

    const first = await staff.get('/records/invoices');
    expect(idsOn(first)).toEqual(all.rows.slice(0, 25).map((row) => row.id));
    expect(linkOn(first, 'prev')).toBeNull();

    const second = await staff.get(linkOn(first, 'next')!);
    expect(idsOn(second)).toEqual(all.rows.slice(25).map((row) => row.id));
    expect(linkOn(second, 'next')).toBeNull();

    const back = await staff.get(linkOn(second, 'prev')!);
    expect(idsOn(back)).toEqual(all.rows.slice(0, 25).map((row) => row.id));

    const filtered = await staff.get('/records/invoices?shared=no&q=PAGE');
    expect(linkOn(filtered, 'next')).toContain('shared=no&q=PAGE&after=');
  });
});
