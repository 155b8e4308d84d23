import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { RECORD_KINDS } from '../../libs/records/src/kinds';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PortalClient, startPortal } from '../support/portal-harness';

/** How to find one kind's fixture records and what their pages should show. */
interface KindCase {
  slug: string;
  table: string;
  /** The kind's part of the fixture's external ids, as in `${key}-ir-s`. */
  code: string;
  /** Text that only a detail row or join of the shared record puts on its detail page. */
  detailText: (key: string) => string;
  /** Filters whose results include the fixture's shared record. */
  matches: string[];
}

const CASES: KindCase[] = [
  {
    slug: 'inspection-reports',
    table: 'inspection_reports',
    code: 'ir',
    detailText: (key) => `Gauge reads zero (${key})`,
    matches: ['deficiencies'],
  },
  {
    slug: 'invoices',
    table: 'invoices',
    code: 'inv',
    detailText: () => 'Service',
    matches: ['outstanding', 'overdue'],
  },
  {
    slug: 'compliance',
    table: 'compliance_requirements',
    code: 'cr',
    detailText: (key) => `Certificate ${key}`,
    matches: ['overdue'],
  },
  {
    slug: 'compliance-documents',
    table: 'compliance_documents',
    code: 'cd',
    detailText: (key) => `Annual test ${key}`,
    matches: ['current'],
  },
  { slug: 'contracts', table: 'contracts', code: 'ct', detailText: () => '$1,200.00', matches: ['active'] },
  { slug: 'proposals', table: 'proposals', code: 'pr', detailText: () => 'Spare gauge', matches: ['open'] },
  { slug: 'equipment', table: 'equipment', code: 'eq', detailText: (key) => `${key}-IR-1`, matches: ['in_service'] },
  { slug: 'work-orders', table: 'work_orders', code: 'wo', detailText: (key) => `Site ${key}`, matches: ['scheduled'] },
  { slug: 'warranties', table: 'warranties', code: 'wr', detailText: (key) => `Pump ${key}`, matches: ['active'] },
  {
    slug: 'service-requests',
    table: 'service_requests',
    code: 'sr',
    detailText: (key) => `Water on the floor (${key})`,
    matches: ['submitted'],
  },
];

/** Returns the inner HTML of the page's h1, which contains the record's status badge. */
function headingOf(html: string): string {
  return /<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '';
}

async function idOf(admin: Pool, table: string, externalId: string): Promise<string> {
  const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE external_id = $1`, [externalId]);
  if (!result.rows[0]) throw new Error(`fixture row ${externalId} is missing from ${table}`);
  return result.rows[0].id;
}

describe('portal record kinds', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let client: PortalClient;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'kinds');
    ({ app, port } = await startPortal());
    client = new PortalClient(port, `${tenant.slug}.localhost`);
    key = tenant.companies[0].key;
    otherKey = tenant.companies[1].key;
    expect((await client.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  it('registers kinds in navigation order', () => {
    expect(RECORD_KINDS.map((kind) => kind.slug)).toEqual(CASES.map((kindCase) => kindCase.slug));
  });

  it('links every kind from the navigation', async () => {
    const page = await client.get('/');
    const links = [...page.body.matchAll(/<li><a href="\/([a-z-]+)"/g)].map((match) => match[1]);
    expect(links).toEqual(CASES.map((kindCase) => kindCase.slug));
  });

  describe.each(CASES)('$slug', (kindCase) => {
    const kind = RECORD_KINDS.find((candidate) => candidate.slug === kindCase.slug);
    const filters = Object.keys(kind?.filters ?? {});
    let shared: string;
    let unshared: string;
    let other: string;
    const href = (id: string) => `href="/${kindCase.slug}/${id}"`;

    beforeAll(async () => {
      shared = await idOf(admin, kindCase.table, `${key}-${kindCase.code}-s`);
      unshared = await idOf(admin, kindCase.table, `${key}-${kindCase.code}-u`);
      other = await idOf(admin, kindCase.table, `${otherKey}-${kindCase.code}-s`);
    });

    it('lists the shared record', async () => {
      const page = await client.get(`/${kindCase.slug}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(href(shared));
    });

    it('hides the unshared record', async () => {
      const page = await client.get(`/${kindCase.slug}`);
      expect(page.body).not.toContain(href(unshared));
    });

    it("hides the other company's record", async () => {
      const page = await client.get(`/${kindCase.slug}`);
      expect(page.body).not.toContain(href(other));
    });

    it('opens the shared record', async () => {
      const page = await client.get(`/${kindCase.slug}/${shared}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(kindCase.detailText(key));
    });

    it('links the detail page back to the list', async () => {
      const page = await client.get(`/${kindCase.slug}/${shared}`);
      expect(page.body).toContain(`<p class="breadcrumb"><a href="/${kindCase.slug}">`);
    });

    it('returns 404 for the unshared record', async () => {
      expect((await client.get(`/${kindCase.slug}/${unshared}`)).status).toBe(404);
    });

    it("returns 404 for the other company's record", async () => {
      expect((await client.get(`/${kindCase.slug}/${other}`)).status).toBe(404);
    });

    it.each(filters)('filter %s', async (filter) => {
      const page = await client.get(`/${kindCase.slug}?status=${filter}`);
      expect(page.status).toBe(200);
      expect(page.body.includes(href(shared))).toBe(kindCase.matches.includes(filter));
    });

    it('rejects an unknown filter', async () => {
      expect((await client.get(`/${kindCase.slug}?status=everything`)).status).toBe(400);
    });

    it('rejects a garbage cursor', async () => {
      expect((await client.get(`/${kindCase.slug}?after=not-a-cursor`)).status).toBe(400);
    });
  });

  it('groups findings by severity', async () => {
    const id = await idOf(admin, 'inspection_reports', `${key}-ir-s`);
    const page = await client.get(`/inspection-reports/${id}`);
    expect(page.body).toContain('<h3 id="findings-major">Major (1)</h3>');
  });

  it('marks optional proposal lines', async () => {
    const id = await idOf(admin, 'proposals', `${key}-pr-s`);
    const page = await client.get(`/proposals/${id}`);
    expect(page.body).toContain('Spare gauge <span class="badge">Optional</span>');
  });

  it('leaves optional lines out of the total', async () => {
    const id = await idOf(admin, 'proposals', `${key}-pr-s`);
    const page = await client.get(`/proposals/${id}`);
    // 3 x 25.00; the optional 25.00 spare is not added.
    expect(page.body).toContain('<th scope="row" colspan="3">Total</th><td class="num">$75.00</td>');
  });

  it('tells how to answer an open proposal', async () => {
    const id = await idOf(admin, 'proposals', `${key}-pr-s`);
    const page = await client.get(`/proposals/${id}`);
    expect(page.body).toContain('You can accept or decline this proposal below until');
  });

  it('shows warranty status in the equipment list', async () => {
    const page = await client.get('/equipment');
    expect(page.body).toContain('<span class="badge badge--active">Active</span>');
  });

  it('links an inspection to its shared report', async () => {
    const equipment = await idOf(admin, 'equipment', `${key}-eq-s`);
    const report = await idOf(admin, 'inspection_reports', `${key}-ir-s`);
    const page = await client.get(`/equipment/${equipment}`);
    expect(page.body).toContain(`href="/inspection-reports/${report}"`);
  });

  describe('inspection with an unshared report', () => {
    let equipment: string;
    let hiddenReport: string;

    beforeAll(async () => {
      equipment = await idOf(admin, 'equipment', `${key}-eq-s`);
      hiddenReport = await idOf(admin, 'inspection_reports', `${key}-ir-u`);
      await admin.query(
        `INSERT INTO equipment_inspections
           (tenant_id, company_id, equipment_id, report_id, position, inspected_on, result, notes)
         SELECT tenant_id, company_id, id, $2, 1, current_date - 400, 'fail', 'Seized impeller'
         FROM equipment WHERE id = $1`,
        [equipment, hiddenReport],
      );
    });

    it('hides the entry and its notes', async () => {
      const page = await client.get(`/equipment/${equipment}`);
      expect(page.body).not.toContain('Seized impeller');
    });

    it('does not link the report', async () => {
      const page = await client.get(`/equipment/${equipment}`);
      expect(page.body).not.toContain(hiddenReport);
    });

    it('shows the entry once the report is shared', async () => {
      await admin.query('UPDATE inspection_reports SET shared_at = now() WHERE id = $1', [hiddenReport]);
      try {
        const page = await client.get(`/equipment/${equipment}`);
        expect(page.body).toContain('Seized impeller');
        expect(page.body).toContain(`href="/inspection-reports/${hiddenReport}"`);
      } finally {
        await admin.query('UPDATE inspection_reports SET shared_at = NULL WHERE id = $1', [hiddenReport]);
      }
    });
  });

  it('names the user who submitted a request', async () => {
    const id = await idOf(admin, 'service_requests', `${key}-sr-s`);
    await admin.query(
      `UPDATE service_requests r SET portal_user_id = u.id FROM portal_users u
       WHERE r.id = $1 AND u.tenant_id = r.tenant_id AND u.email = $2`,
      [id, tenant.companies[0].email],
    );
    const page = await client.get(`/service-requests/${id}`);
    expect(page.body).toContain(`User ${key}`);
  });

  describe('status boundaries', () => {
    // Today in the fixture tenant's time zone, as the portal computes it.
    const today = "(now() AT TIME ZONE 'America/Chicago')::date";
    const kindTables: Record<string, [string, string]> = {
      compliance: ['compliance_requirements', 'cr'],
      'compliance-documents': ['compliance_documents', 'cd'],
      warranties: ['warranties', 'wr'],
      proposals: ['proposals', 'pr'],
    };
    // Each case runs the SET on the second company's shared record, then
    // expects that status badge in the detail heading and the record in the filter.
    type Boundary = [name: string, slug: string, set: string, badge: string, filter: string];
    const BOUNDARIES: Boundary[] = [
      ['requirement due yesterday', 'compliance', `due_on = ${today} - 1`, 'overdue', 'overdue'],
      ['requirement due today', 'compliance', `due_on = ${today}`, 'due', 'due'],
      ['requirement due in 30 days', 'compliance', `due_on = ${today} + 30`, 'due', 'due'],
      ['requirement due in 31 days', 'compliance', `due_on = ${today} + 31`, 'upcoming', 'upcoming'],
      ['requirement completed', 'compliance', `completed_on = ${today} - 1`, 'completed', 'completed'],
      ['document expiring in 61 days', 'compliance-documents', `expires_on = ${today} + 61`, 'current', 'current'],
      ['document expiring in 60 days', 'compliance-documents', `expires_on = ${today} + 60`, 'expiring', 'expiring'],
      ['document expired yesterday', 'compliance-documents', `expires_on = ${today} - 1`, 'expired', 'expired'],
      ['warranty expiring in 61 days', 'warranties', `expires_on = ${today} + 61`, 'active', 'active'],
      ['warranty expiring in 60 days', 'warranties', `expires_on = ${today} + 60`, 'expiring', 'expiring'],
      ['warranty expiring today', 'warranties', `expires_on = ${today}`, 'expiring', 'expiring'],
      ['warranty expired yesterday', 'warranties', `expires_on = ${today} - 1`, 'expired', 'expired'],
      ['proposal valid until today', 'proposals', `valid_until = ${today}`, 'sent', 'open'],
      ['proposal valid until yesterday', 'proposals', `valid_until = ${today} - 1`, 'expired', 'expired'],
      ['proposal stored expired', 'proposals', `status = 'expired', valid_until = ${today} + 5`, 'expired', 'expired'],
    ];

    // These cases change the second company's records, which the cases above use by id only.
    let otherClient: PortalClient;

    beforeAll(async () => {
      otherClient = new PortalClient(port, `${tenant.slug}.localhost`);
      expect((await otherClient.login(tenant.companies[1].email, TEST_PASSWORD)).status).toBe(303);
    });

    it.each(BOUNDARIES)('%s', async (_name, slug, set, badge, filter) => {
      const [table, code] = kindTables[slug];
      const id = await idOf(admin, table, `${otherKey}-${code}-s`);
      await admin.query(`UPDATE ${table} SET ${set} WHERE id = $1`, [id]);

      const detail = await otherClient.get(`/${slug}/${id}`);
      expect(headingOf(detail.body)).toContain(`badge--${badge}"`);
      const list = await otherClient.get(`/${slug}?status=${filter}`);
      expect(list.body).toContain(`href="/${slug}/${id}"`);
    });
  });
});
