import type { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';

import { EMAIL_QUEUE } from '../../libs/queue/src/queues';
import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody, invoiceBody, siteBody } from '../support/api-bodies';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

describe('API upserts', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let key: string;

  const put = (path: string, body: unknown) => apiRequest(port, 'PUT', `/api/v1/${path}`, { key, body });

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'api-upsert', 1);
    key = await insertApiKey(admin, tenant.tenantId, 'read_write');
    ({ app, port } = await startConsole());
    expect((await put('customer-companies/acme', companyBody())).status).toBe(201);
    expect((await put('sites/acme-plant', siteBody('acme'))).status).toBe(201);
    expect((await put('equipment/acme-pump', equipmentBody())).status).toBe(201);
  });

  async function withEmailQueue<T>(work: (queue: Queue) => Promise<T>): Promise<T> {
    const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const queue = new Queue(EMAIL_QUEUE, { connection });
    try {
      return await work(queue);
    } finally {
      await queue.close();
      await connection.quit();
    }
  }

  afterAll(async () => {
    try {
      // No worker runs in this file, so the invitation jobs it queued are removed.
      const deliveries = await admin.query<{ id: string }>('SELECT id FROM email_deliveries WHERE tenant_id = $1', [tenant.tenantId]);
      await withEmailQueue(async (queue) => {
        for (const { id } of deliveries.rows) await (await queue.getJob(id))?.remove();
      });
    } finally {
      await app.close();
      await admin.end();
    }
  });

  function equipmentBody() {
    return { companyExternalId: 'acme', siteExternalId: 'acme-plant', name: 'Fire pump', category: 'Pumps', shared: true };
  }

  /** One valid body per record kind, each naming the fixtures above. */
  const RECORD_BODIES: Array<[string, string, Record<string, unknown>]> = [
    ['equipment', 'equipment', equipmentBody()],
    ['inspection-reports', 'inspection_reports', {
      companyExternalId: 'acme', siteExternalId: 'acme-plant', number: 'IR-1', title: 'Annual', inspectionType: 'NFPA 25',
      inspectedOn: '2026-01-05', inspectorName: 'Sam', result: 'deficiencies',
      findings: [{ severity: 'major', location: 'Riser', description: 'Gauge reads zero', equipmentExternalId: 'acme-pump' }],
    }],
    ['invoices', 'invoices', invoiceBody('acme', 'INV-1')],
    ['compliance-requirements', 'compliance_requirements', {
      companyExternalId: 'acme', siteExternalId: 'acme-plant', title: 'Annual flow test', frequency: 'annual', dueOn: '2026-06-01',
    }],
    ['compliance-documents', 'compliance_documents', {
      companyExternalId: 'acme', requirementExternalId: 'rec-compliance-requirements', title: 'Certificate',
      documentType: 'certificate', issuedOn: '2026-01-02', expiresOn: '2027-01-02',
    }],
    ['contracts', 'contracts', {
      companyExternalId: 'acme', number: 'CT-1', title: 'Service agreement', startsOn: '2026-01-01', endsOn: '2026-12-31',
      termMonths: 12, valueMinor: 120000, currency: 'USD', billingFrequency: 'monthly', status: 'active',
    }],
    ['proposals', 'proposals', {
      companyExternalId: 'acme', number: 'PR-1', title: 'Replace gauges', issuedOn: '2026-01-03', validUntil: '2026-02-03',
      currency: 'USD', subtotalMinor: 7500, taxMinor: 0, totalMinor: 7500,
      lines: [{ description: 'Gauge', quantity: 3, unitPriceMinor: 2500, amountMinor: 7500, isOptional: false }],
    }],
    ['work-orders', 'work_orders', {
      companyExternalId: 'acme', siteExternalId: 'acme-plant', equipmentExternalId: 'acme-pump', number: 'WO-1',
      title: 'Replace gauge', workType: 'repair', status: 'scheduled', scheduledStart: '2026-02-01T09:00:00Z',
    }],
    ['warranties', 'warranties', {
      companyExternalId: 'acme', provider: 'Pump Co', policyNumber: 'W-1', warrantyType: 'manufacturer',
      startsOn: '2026-01-01', expiresOn: '2028-01-01', coveredEquipment: [{ equipmentExternalId: 'acme-pump' }],
    }],
  ];

  it.each(RECORD_BODIES)('%s sent twice is one row', async (resource, table, body) => {
    const externalId = resource === 'equipment' ? 'acme-pump' : `rec-${resource}`;

    const first = await put(`${resource}/${externalId}`, body);
    const second = await put(`${resource}/${externalId}`, body);

    expect(first.status).toBe(resource === 'equipment' ? 200 : 201);
    expect(second.status).toBe(200);
    expect(second.json.updatedAt).toBe(first.json.updatedAt);
    expect(second.json).toEqual(first.json);
    const rows = await admin.query(`SELECT 1 FROM ${table} WHERE tenant_id = $1 AND external_id = $2`, [tenant.tenantId, externalId]);
    expect(rows.rowCount).toBe(1);
  });

  it('parallel identical requests make one row', async () => {
    const body = invoiceBody('acme', 'INV-PAR');

    const responses = await Promise.all(Array.from({ length: 5 }, () => put('invoices/inv-parallel', body)));

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 201]);
    const rows = await admin.query(`SELECT id FROM invoices WHERE tenant_id = $1 AND external_id = 'inv-parallel'`, [tenant.tenantId]);
    expect(rows.rowCount).toBe(1);
    const lines = await admin.query('SELECT 1 FROM invoice_lines WHERE invoice_id = $1', [rows.rows[0].id]);
    expect(lines.rowCount).toBe(body.lines.length);
  });

  it('changed body updates and bumps updatedAt', async () => {
    const first = await put('customer-companies/acme', companyBody());
    const changed = await put('customer-companies/acme', companyBody('Acme Renamed'));

    expect(changed.status).toBe(200);
    expect(changed.json.name).toBe('Acme Renamed');
    expect(changed.json.id).toBe(first.json.id);
    expect(changed.json.updatedAt > first.json.updatedAt).toBe(true);
  });

  it('invoice lines are replaced as a whole', async () => {
    const body = invoiceBody('acme', 'INV-2');
    await put('invoices/inv-lines', body);

    const oneLine = { ...body, lines: [{ description: 'Only line', quantity: 1, unitPriceMinor: 20000, amountMinor: 20000 }] };
    const updated = await put('invoices/inv-lines', oneLine);

    expect(updated.status).toBe(200);
    expect(updated.json.lines).toEqual([{ description: 'Only line', quantity: 1, unitPriceMinor: 20000, amountMinor: 20000 }]);
    const stored = await admin.query(
      `SELECT l.description FROM invoice_lines l JOIN invoices i ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id
       WHERE i.tenant_id = $1 AND i.external_id = 'inv-lines'`,
      [tenant.tenantId],
    );
    expect(stored.rows).toEqual([{ description: 'Only line' }]);
    expect(updated.json.amountPaidMinor).toBe(5000);
  });

  it('detail change alone bumps updatedAt', async () => {
    const body = invoiceBody('acme', 'INV-3');
    const first = await put('invoices/inv-detail', body);

    const second = await put('invoices/inv-detail', { ...body, payments: [] , amountPaidMinor: 5000 });

    expect(second.json.payments).toEqual([]);
    expect(second.json.updatedAt > first.json.updatedAt).toBe(true);
  });

  it('number used by another invoice is 409', async () => {
    await put('invoices/inv-number-a', invoiceBody('acme', 'INV-DUP'));

    const clash = await put('invoices/inv-number-b', invoiceBody('acme', 'INV-DUP'));

    expect(clash.status).toBe(409);
    expect(clash.json.error.details).toEqual([{ path: 'number', reason: expect.any(String) }]);
    expect(clash.text).not.toMatch(/duplicate key|constraint/i);
  });

  it('missing reference in a detail row names its path', async () => {
    const body = RECORD_BODIES[1][2] as { findings: Array<Record<string, unknown>> };
    const findings = [body.findings[0], { ...body.findings[0], equipmentExternalId: 'no-such-pump' }];

    const response = await put('inspection-reports/ir-bad-ref', { ...body, number: 'IR-9', findings });

    expect(response.status).toBe(422);
    expect(response.json.error.details).toEqual([{ path: 'findings[1].equipmentExternalId', reason: expect.stringContaining('no-such-pump') }]);
  });

  it('shared left out keeps sharing', async () => {
    const { shared: _shared, ...unsaid } = equipmentBody();
    void _shared;

    const response = await put('equipment/acme-pump', unsaid);

    expect(response.status).toBe(200);
    expect(response.json.shared).toBe(true);
  });

  it('proposal status is not writable', async () => {
    const body = { ...RECORD_BODIES[6][2], status: 'accepted' };

    const response = await put('proposals/rec-proposals', body);

    expect(response.status).toBe(400);
    expect(response.json.error.details).toEqual([{ path: 'status', reason: 'is not a known field' }]);
  });

  it('portal user invitation is queued once', async () => {
    const body = { companyExternalId: 'acme', email: 'Facilities@Acme.example', name: 'Pat', sendInvitation: true };

    const first = await put('portal-users/pat', body);
    const second = await put('portal-users/pat', body);

    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ email: 'facilities@acme.example', status: 'invited', companyExternalId: 'acme' });
    expect(second.status).toBe(200);
    const deliveries = await admin.query<{ id: string; kind: string; recipient: string }>(
      `SELECT id, kind, recipient FROM email_deliveries WHERE tenant_id = $1 AND recipient = 'facilities@acme.example'`,
      [tenant.tenantId],
    );
    expect(deliveries.rows).toEqual([{ id: expect.any(String), kind: 'invitation', recipient: 'facilities@acme.example' }]);
    const job = await withEmailQueue((queue) => queue.getJob(deliveries.rows[0].id));
    expect(job?.data).toEqual({ tenantId: tenant.tenantId, deliveryId: deliveries.rows[0].id });
    const activity = await admin.query<{ action: string; actor_type: string }>(
      `SELECT action, actor_type FROM activity_events WHERE tenant_id = $1 AND subject_id = $2 AND action = 'user.invited'`,
      [tenant.tenantId, first.json.id],
    );
    expect(activity.rows).toEqual([{ action: 'user.invited', actor_type: 'system' }]);
  });

  it('portal user email of another user is 409', async () => {
    const response = await put('portal-users/dup', { companyExternalId: 'acme', email: tenant.companies[0].email });

    expect(response.status).toBe(409);
    expect(response.json.error.details).toEqual([{ path: 'email', reason: expect.any(String) }]);
  });
});
