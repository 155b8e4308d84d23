import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { hashPassword } from '../../libs/auth/src/passwords';
import { startAppProcess, stopAppProcess } from '../support/app-process';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, startConsole } from '../support/portal-harness';
import { formKeysFrom, postRequestForm } from '../support/service-requests';

const CONSOLE_HOST = 'console.localhost';

describe('console service request inbox', () => {
  let app: NestExpressApplication;
  let port: number;
  let portalProcess: ChildProcess;
  let portalPort: number;
  let admin: Pool;
  let folder: string;
  let tenant: TestTenant;
  let other: TestTenant;
  let owner: PortalClient;
  let member: PortalClient;
  let otherOwner: PortalClient;
  let customer: PortalClient;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'console-requests-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'inbox');
    other = await provisionTestTenant(admin, 'inbox-b');
    await admin.query(
      `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'Pat Member', 'member', 'active', $3)`,
      [tenant.tenantId, `member@${tenant.slug}.example`, await hashPassword(TEST_PASSWORD)],
    );
    // The portal runs in its own process, because one Jest file cannot start both Nest apps.
    ({ child: portalProcess, port: portalPort } = await startAppProcess('portal', { STORAGE_LOCAL_DIR: folder }));
    ({ app, port } = await startConsole());
    owner = await signIn(tenant, `owner@${tenant.slug}.example`);
    member = await signIn(tenant, `member@${tenant.slug}.example`);
    otherOwner = await signIn(other, `owner@${other.slug}.example`);
    customer = new PortalClient(portalPort, `${tenant.slug}.localhost`);
    expect((await customer.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await stopAppProcess(portalProcess);
    await admin?.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  async function signIn(workspace: TestTenant, email: string): Promise<PortalClient> {
    const staff = new PortalClient(port, CONSOLE_HOST);
    const login = await staff.submit('/login', '/login', { workspace: workspace.slug, email, password: TEST_PASSWORD, next: '/' });
    expect(login.status).toBe(303);
    return staff;
  }

  /** Submits a request through the real portal form as the company 1 customer and returns its id. */
  async function submitFromPortal(description: string): Promise<string> {
    const page = await customer.get('/service-requests/new');
    const { csrf, submissionKey } = formKeysFrom(page.body);
    const site = /<option value="([0-9a-f-]{36})">/.exec(page.body)![1];
    const response = await postRequestForm(customer, [
      ['_csrf', csrf],
      ['submission_key', submissionKey],
      ['site_id', site],
      ['category', 'fire_alarm'],
      ['urgency', 'emergency'],
      ['description', description],
    ]);
    expect(response.status).toBe(303);
    return /\/service-requests\/([0-9a-f-]{36})/.exec(String(response.headers.location))![1];
  }

  async function requestRow(id: string): Promise<{ status: string; intake: string; lead_status: string | null }> {
    const result = await admin.query('SELECT status, intake, lead_status FROM service_requests WHERE tenant_id = $1 AND id = $2', [
      tenant.tenantId,
      id,
    ]);
    return result.rows[0];
  }

  async function actionsOn(id: string): Promise<string[]> {
    const result = await admin.query<{ action: string }>(
      'SELECT action FROM activity_events WHERE tenant_id = $1 AND subject_id = $2 ORDER BY occurred_at, id',
      [tenant.tenantId, id],
    );
    return result.rows.map((row) => row.action);
  }

  it('inbox lists new requests first', async () => {
    const older = await submitFromPortal('Older request about the alarm panel.');
    const newer = await submitFromPortal('Newer request about the alarm panel.');
    const page = await owner.get('/service-requests');

    expect(page.status).toBe(200);
    expect(page.body.indexOf(`/service-requests/${newer}`)).toBeGreaterThan(-1);
    expect(page.body.indexOf(`/service-requests/${newer}`)).toBeLessThan(page.body.indexOf(`/service-requests/${older}`));
    expect((await owner.get('/service-requests?status=closed')).body).not.toContain(`/service-requests/${newer}`);
    expect((await owner.get('/service-requests?status=submitted')).body).toContain(`/service-requests/${newer}`);
    expect((await owner.get('/service-requests?status=bogus')).status).toBe(400);
    expect((await member.get('/service-requests')).status).toBe(200);

    const waiting = await admin.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM service_requests WHERE tenant_id = $1 AND status = 'submitted'`,
      [tenant.tenantId],
    );
    const overview = await owner.get('/');
    expect(overview.body).toMatch(new RegExp(`New service requests</h2><p class="figure">${waiting.rows[0].count}</p>`));
  });

  it('creates a work order the portal shows', async () => {
    const id = await submitFromPortal('Alarm sounds with no fire; please send someone.');
    const detail = await owner.get(`/service-requests/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toContain('Create work order');

    const action = `/service-requests/${id}/work-order`;
    const form = { _csrf: csrfFrom(detail.body), scheduled_date: '2030-05-06', scheduled_time: '09:30' };
    const created = await owner.request(action, { form });
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe(`/service-requests/${id}?done=work_order_created`);

    const orders = await admin.query(
      `SELECT number, status, priority, work_type, shared_at, scheduled_start FROM work_orders WHERE tenant_id = $1 AND service_request_id = $2`,
      [tenant.tenantId, id],
    );
    expect(orders.rowCount).toBe(1);
    expect(orders.rows[0].priority).toBe('emergency');
    expect(orders.rows[0].work_type).toBe('emergency');
    expect(orders.rows[0].shared_at).not.toBeNull();
    // 09:30 in America/Chicago on 2030-05-06 is 14:30 UTC, during daylight saving time.
    expect(orders.rows[0].scheduled_start.toISOString()).toBe('2030-05-06T14:30:00.000Z');
    expect((await requestRow(id)).status).toBe('triaged');
    expect(await actionsOn(id)).toEqual(['service.request_submitted', 'service.work_order_created']);

    const again = await owner.request(action, { form });
    expect(again.headers.location).toBe(`/service-requests/${id}?done=work_order_exists`);
    const count = await admin.query('SELECT 1 FROM work_orders WHERE tenant_id = $1 AND service_request_id = $2', [tenant.tenantId, id]);
    expect(count.rowCount).toBe(1);

    const portalPage = await customer.get(`/service-requests/${id}`);
    expect(portalPage.status).toBe(200);
    expect(portalPage.body).toContain('badge--triaged');
    expect(portalPage.body).toContain(orders.rows[0].number);
  });

  it('rejects a bad visit date by name', async () => {
    const id = await submitFromPortal('Exit sign is dark on the second floor.');
    const detail = await owner.get(`/service-requests/${id}`);
    const response = await owner.request(`/service-requests/${id}/work-order`, {
      form: { _csrf: csrfFrom(detail.body), scheduled_date: '2030-02-30', scheduled_time: '25:00' },
    });

    expect(response.status).toBe(400);
    expect(response.body).toContain('scheduled_date');
    expect(response.body).toContain('scheduled_time');
    expect((await requestRow(id)).status).toBe('submitted');
  });

  it('hides requests from other tenants', async () => {
    const id = await submitFromPortal('Sprinkler valve leaks in the garage.');

    expect((await otherOwner.get(`/service-requests/${id}`)).status).toBe(404);
    expect((await otherOwner.get('/service-requests?status=all')).body).not.toContain(id);
    const page = await otherOwner.get('/service-requests');
    const response = await otherOwner.request(`/service-requests/${id}/work-order`, {
      form: { _csrf: csrfFrom(page.body), scheduled_date: '2030-05-06', scheduled_time: '09:30' },
    });
    expect(response.status).toBe(404);
    const orders = await admin.query('SELECT 1 FROM work_orders WHERE service_request_id = $1', [id]);
    expect(orders.rowCount).toBe(0);
  });

  it('rejects triage without the CSRF token', async () => {
    const id = await submitFromPortal('Heating does not start in the office.');
    const response = await owner.request(`/service-requests/${id}/close`, { form: { note: 'x' } });

    expect(response.status).toBe(403);
    expect((await requestRow(id)).status).toBe('submitted');
  });

  it('lets only owners and admins change the intake', async () => {
    expect((await member.get('/settings/service-requests')).status).toBe(403);
    const page = await owner.get('/settings/service-requests');
    expect(page.status).toBe(200);
    expect(page.body).toContain('value="work_order" checked');

    const memberPage = await member.get('/service-requests');
    const rejected = await member.request('/settings/service-requests', { form: { _csrf: csrfFrom(memberPage.body), intake: 'lead' } });
    expect(rejected.status).toBe(403);
    const saved = await owner.request('/settings/service-requests', { form: { _csrf: csrfFrom(page.body), intake: 'lead' } });
    expect(saved.status).toBe(303);
    expect((await owner.get('/settings/service-requests')).body).toContain('value="lead" checked');
    const events = await admin.query(`SELECT details FROM activity_events WHERE tenant_id = $1 AND action = 'service.intake_changed'`, [
      tenant.tenantId,
    ]);
    expect(events.rows.map((row: { details: unknown }) => row.details)).toEqual([{ from: 'work_order', to: 'lead' }]);
  });

  it('tracks a lead and converts it', async () => {
    // The previous test switched the tenant to leads.
    const id = await submitFromPortal('Please quote a new elevator inspection.');
    expect(await requestRow(id)).toEqual({ status: 'submitted', intake: 'lead', lead_status: 'new' });

    const detail = await owner.get(`/service-requests/${id}`);
    expect(detail.body).toContain('Convert to a work order');
    const csrf = csrfFrom(detail.body);
    expect((await owner.request(`/service-requests/${id}/lead`, { form: { _csrf: csrf, lead_status: 'contacted' } })).status).toBe(303);
    expect(await requestRow(id)).toEqual({ status: 'triaged', intake: 'lead', lead_status: 'contacted' });
    expect((await owner.request(`/service-requests/${id}/lead`, { form: { _csrf: csrf, lead_status: 'won' } })).status).toBe(400);

    const converted = await owner.request(`/service-requests/${id}/work-order`, {
      form: { _csrf: csrf, scheduled_date: '2030-06-01', scheduled_time: '08:00' },
    });
    expect(converted.status).toBe(303);
    expect(await requestRow(id)).toEqual({ status: 'triaged', intake: 'lead', lead_status: 'qualified' });

    const closed = await owner.request(`/service-requests/${id}/close`, { form: { _csrf: csrf } });
    expect(closed.status).toBe(303);
    expect(await requestRow(id)).toEqual({ status: 'closed', intake: 'lead', lead_status: 'closed' });
    expect(await actionsOn(id)).toEqual([
      'service.request_submitted',
      'service.lead_updated',
      'service.work_order_created',
      'service.request_closed',
    ]);
    expect((await customer.get(`/service-requests/${id}`)).body).toContain('badge--closed');

    // A work-order request rejects lead statuses.
    await admin.query(`UPDATE tenants SET service_request_intake = 'work_order' WHERE id = $1`, [tenant.tenantId]);
    const plain = await submitFromPortal('Cooling unit on the roof is noisy.');
    expect((await owner.request(`/service-requests/${plain}/lead`, { form: { _csrf: csrf, lead_status: 'contacted' } })).status).toBe(400);
  });
});
