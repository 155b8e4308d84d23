import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { Pool } from 'pg';

import { DocumentBrand, loadDocumentBrand } from '../../apps/worker/src/documents/document-brand';
import { canonicalJson, contentHash, loadDocument } from '../../libs/documents/src/document-data';
import { DocumentKind, TEMPLATE_VERSION } from '../../libs/documents/src/document-kinds';
import type {
  ComplianceSummaryData,
  DocumentData,
  InspectionReportData,
  InvoiceData,
  ProposalData,
} from '../../libs/documents/src/document-types';
import { pageFormatFor } from '../../libs/documents/src/page-format';
import { TEMPLATES_DIR } from '../../apps/worker/src/documents/print-handlebars';
import { safeFileName } from '../../libs/documents/src/file-name';
import { renderDocumentHtml } from '../../apps/worker/src/documents/render-document';
import { executorFor, SqlExecutor } from '../../libs/db/src/sql-executor';
import { portalUrlFor, PortalUrlConfig } from '../../libs/tenancy/src/portal-url';
import { adminPool, appPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { pngImage } from '../support/images';
import { asRole } from '../support/roles';

const CONFIG: PortalUrlConfig = { PORTAL_PUBLIC_URL_TEMPLATE: 'https://{host}', PORTAL_BASE_DOMAIN: 'portal.test' };
const CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`;
const HOSTILE = `{{7*7}} <iframe src="file:///etc/passwd"></iframe> <img src=http://attacker.example/x.png> file:///etc/passwd`;
const HOSTILE_ESCAPED = Handlebars.escapeExpression(HOSTILE);

/** One kind's fixture record and the figures its document must carry. */
interface KindCase {
  kind: DocumentKind;
  /** Table of the record, or of the company for the compliance summary. */
  table: string;
  /** External id of the company's shared record, from its key. */
  externalId: (key: string) => string;
  /** Document number from the company's key. */
  number: (key: string) => string;
  /** Text the HTML must contain, such as formatted totals. */
  figures: (key: string) => string[];
  /** Statements that write HOSTILE ($2) into the record's free-text fields ($1 is the id). */
  hostile: string[];
}

const CASES: KindCase[] = [
  {
    kind: 'inspection-report',
    table: 'inspection_reports',
    externalId: (key) => `${key}-ir-s`,
    number: (key) => `${key}-IR-1`,
    figures: (key) => [`Gauge reads zero (${key})`, 'Major (1)', 'NFPA 25 annual', `Pump ${key}`],
    hostile: [
      'UPDATE inspection_reports SET title = $2, summary = $2 WHERE id = $1',
      'UPDATE inspection_findings SET description = $2, recommendation = $2, location = $2 WHERE report_id = $1',
    ],
  },
  {
    kind: 'invoice',
    table: 'invoices',
    externalId: (key) => `${key}-inv-s`,
    number: (key) => `${key}-INV-1`,
    // 2 x $100.00, 10% tax, $50.00 paid.
    figures: () => ['$200.00', '$20.00', '$220.00', '$50.00', '$170.00', 'Overdue'],
    hostile: [
      'UPDATE invoices SET notes = $2 WHERE id = $1',
      'UPDATE invoice_lines SET description = $2 WHERE invoice_id = $1',
      'UPDATE invoice_payments SET reference = $2 WHERE invoice_id = $1',
    ],
  },
  {
    kind: 'proposal',
    table: 'proposals',
    externalId: (key) => `${key}-pr-s`,
    number: (key) => `${key}-PR-1`,
    // 3 x $25.00 required, one optional $25.00 spare outside the total.
    figures: () => ['$75.00', '$25.00', 'Spare gauge</span> <span class="tag">Optional</span>', 'Optional items, not included above'],
    hostile: [
      'UPDATE proposals SET title = $2, summary = $2, terms = $2 WHERE id = $1',
      'UPDATE proposal_lines SET description = $2 WHERE proposal_id = $1',
    ],
  },
  {
    kind: 'contract',
    table: 'contracts',
    externalId: (key) => `${key}-ct-s`,
    number: (key) => `${key}-CT-1`,
    figures: (key) => ['$1,200.00', `Service agreement ${key}`, '12 months', 'Monthly'],
    hostile: ['UPDATE contracts SET title = $2, scope = $2 WHERE id = $1'],
  },
  {
    kind: 'work-order',
    table: 'work_orders',
    externalId: (key) => `${key}-wo-s`,
    number: (key) => `${key}-WO-1`,
    figures: (key) => [`Site ${key}`, `Replace gauges ${key}`, 'Repair', 'Scheduled'],
    hostile: ['UPDATE work_orders SET title = $2, service_details = $2, technician_notes = $2 WHERE id = $1'],
  },
  {
    kind: 'compliance-summary',
    table: 'customer_companies',
    externalId: (key) => key,
    number: (key) => `Company ${key}`,
    figures: (key) => [`Annual test ${key}`, `Site ${key}`, 'Overdue'],
    hostile: ['UPDATE compliance_requirements SET title = $2, code_reference = $2, authority = $2 WHERE company_id = $1'],
  },
];

describe('printable documents', () => {
  let admin: Pool;
  let app: Pool;
  let tenant: TestTenant;
  let other: TestTenant;
  let key: string;
  let hostileKey: string;

  beforeAll(async () => {
    admin = adminPool();
    app = appPool();
    tenant = await provisionTestTenant(admin, 'docs');
    other = await provisionTestTenant(admin, 'docs-b');
    key = tenant.companies[0].key;
    hostileKey = tenant.companies[1].key;
  });

  afterAll(async () => {
    await admin.end();
    await app.end();
  });

  /** Runs work as the worker does: portal_staff pinned to one tenant. */
  function asWorkerFor<T>(tenantId: string, work: (db: SqlExecutor) => Promise<T>): Promise<T> {
    return asRole(app, 'portal_staff', { tenantId }, (client) => work(executorFor(client)));
  }

  function load(t: TestTenant, kind: DocumentKind, id: string): Promise<DocumentData | null> {
    return asWorkerFor(t.tenantId, (db) => loadDocument(db, kind, id));
  }

  async function brandOf(t: TestTenant): Promise<DocumentBrand> {
    const brand = await asWorkerFor(t.tenantId, (db) => loadDocumentBrand(db, CONFIG));
    if (!brand) throw new Error(`tenant ${t.slug} has no branding`);
    return brand;
  }

  async function idOf(table: string, externalId: string): Promise<string> {
    const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE external_id = $1`, [externalId]);
    if (result.rows.length !== 1) throw new Error(`${table} has no row with external id ${externalId}`);
    return result.rows[0].id;
  }

  async function render(t: TestTenant, kind: DocumentKind, id: string) {
    const data = await load(t, kind, id);
    if (!data) throw new Error(`${kind} ${id} did not load`);
    return { data, rendered: renderDocumentHtml(kind, data, await brandOf(t)) };
  }

  describe.each(CASES)('$kind', (kindCase) => {
    let id: string;

    beforeAll(async () => {
      id = await idOf(kindCase.table, kindCase.externalId(key));
    });

    it('loads the record as plain JSON data', async () => {
      const data = await load(tenant, kindCase.kind, id);

      expect(data).not.toBeNull();
      expect(data!.kind).toBe(kindCase.kind);
      expect(data!.documentNumber).toBe(kindCase.number(key));
      expect(data!.company.name).toBe(`Company ${key}`);
      expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    });

    it('prints brand, number and figures', async () => {
      const { rendered } = await render(tenant, kindCase.kind, id);

      expect(rendered.html).toContain(`Brand ${tenant.slug}`);
      expect(rendered.html).toContain(kindCase.number(key));
      for (const figure of kindCase.figures(key)) expect(rendered.html).toContain(figure);
    });

    it('writes a strict self-contained page', async () => {
      const { rendered } = await render(tenant, kindCase.kind, id);

      expect(rendered.html).toContain(CSP);
      expect(rendered.html).toContain('thead { display: table-header-group; }');
      expect(rendered.html).toContain('tr { break-inside: avoid;');
      expect(rendered.html).toContain('#123456');
      expect(rendered.html).not.toMatch(/<(script|link|iframe|object|embed)\b/i);
    });

    it('puts page numbers, number and portal URL in the footer', async () => {
      const { rendered } = await render(tenant, kindCase.kind, id);

      expect(rendered.footerTemplate).toContain('Page <span class="pageNumber"></span> of <span class="totalPages"></span>');
      expect(rendered.footerTemplate).toContain(kindCase.number(key));
      expect(rendered.footerTemplate).toContain(`https://portal.${tenant.slug}.test`);
      expect(rendered.footerTemplate).toMatch(/font-size:\s*\d/);
      expect(rendered.headerTemplate).toMatch(/font-size:\s*\d/);
    });

    it('returns null for another tenant', async () => {
      expect(await load(other, kindCase.kind, id)).toBeNull();
    });

    it('prints hostile text as literal text', async () => {
      const hostileId = await idOf(kindCase.table, kindCase.externalId(hostileKey));
      for (const statement of kindCase.hostile) await admin.query(statement, [hostileId, HOSTILE]);

      const { rendered } = await render(tenant, kindCase.kind, hostileId);

      expect(rendered.html).toContain(HOSTILE_ESCAPED);
      expect(rendered.html).toContain('{{7*7}}');
      expect(rendered.html).not.toContain('<iframe');
      expect(rendered.html).not.toContain('<img src=http');
      for (const [, value] of rendered.html.matchAll(/\s(?:src|href)="([^"]*)"/g)) expect(value).toMatch(/^data:image\//);
    });

    it('hashes the same data the same way', async () => {
      const first = await load(tenant, kindCase.kind, id);
      const second = await load(tenant, kindCase.kind, id);

      expect(contentHash(first!)).toMatch(/^[0-9a-f]{64}$/);
      expect(contentHash(second!)).toBe(contentHash(first!));
    });
  });

  it('returns null for an unshared record', async () => {
    for (const [kind, table, code] of [
      ['inspection-report', 'inspection_reports', 'ir'],
      ['invoice', 'invoices', 'inv'],
      ['proposal', 'proposals', 'pr'],
      ['contract', 'contracts', 'ct'],
      ['work-order', 'work_orders', 'wo'],
    ] as const) {
      const id = await idOf(table, `${key}-${code}-u`);
      expect(await load(tenant, kind, id)).toBeNull();
    }
  });

  it('returns null for a malformed or unknown id', async () => {
    expect(await load(tenant, 'invoice', 'not-a-uuid')).toBeNull();
    expect(await load(tenant, 'invoice', '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('returns the key invoice figures', async () => {
    const data = (await load(tenant, 'invoice', await idOf('invoices', `${key}-inv-s`))) as InvoiceData;

    expect(data.subtotalMinor).toBe('20000');
    expect(data.taxMinor).toBe('2000');
    expect(data.totalMinor).toBe('22000');
    expect(data.amountPaidMinor).toBe('5000');
    expect(data.balanceMinor).toBe('17000');
    expect(data.status).toBe('open');
    expect(data.isOverdue).toBe(true);
    expect(data.lines).toEqual([{ description: 'Service', quantity: '2.000', unitPriceMinor: '10000', amountMinor: '20000' }]);
    expect(data.payments).toHaveLength(1);
  });

  it('keeps optional proposal lines out of the total', async () => {
    const data = (await load(tenant, 'proposal', await idOf('proposals', `${key}-pr-s`))) as ProposalData;

    expect(data.totalMinor).toBe('7500');
    expect(data.optionalTotalMinor).toBe('2500');
    expect(data.lines.map((line) => line.isOptional)).toEqual([false, true]);
    expect(data.status).toBe('sent');
  });

  it('summarises inspection results', async () => {
    const data = (await load(tenant, 'inspection-report', await idOf('inspection_reports', `${key}-ir-s`))) as InspectionReportData;

    expect(data.findingGroups.map((group) => group.severity)).toEqual(['critical', 'major', 'minor', 'advisory']);
    expect(data.findingGroups.map((group) => group.count)).toEqual([0, 1, 0, 0]);
    expect(data.totals.findings).toBe(1);
    expect(data.equipment).toEqual([expect.objectContaining({ name: `Pump ${key}`, result: 'pass' })]);
    expect(data.totals.equipmentPassed).toBe(1);
  });

  it('lists shared compliance requirements per site', async () => {
    const data = (await load(tenant, 'compliance-summary', await idOf('customer_companies', key))) as ComplianceSummaryData;

    expect(data.sites.map((site) => site.name)).toEqual([`Site ${key}`]);
    expect(data.sites[0].requirements.map((requirement) => requirement.title)).toEqual([`Annual test ${key}`]);
    expect(data.sites[0].requirements[0].status).toBe('overdue');
    expect(data.counts).toEqual({ overdue: 1, due: 0, upcoming: 0, completed: 0, total: 1 });
  });

  it('computes compliance status against the tenant date', async () => {
    const companyId = await idOf('customer_companies', key);
    const dueOn = (await admin.query<{ due_on: string }>('SELECT due_on FROM compliance_requirements WHERE external_id = $1', [`${key}-cr-s`]))
      .rows[0].due_on;
    // 04:00 UTC on the due date is still the day before in Chicago, the fixture's zone, in winter and summer.
    const now = new Date(`${dueOn}T04:00:00Z`);
    const data = (await asWorkerFor(tenant.tenantId, (db) => loadDocument(db, 'compliance-summary', companyId, { now }))) as ComplianceSummaryData;

    expect(data.asOf).not.toBe(dueOn);
    expect(data.sites[0].requirements[0].status).toBe('due');
  });

  it('changes the hash when a printed field changes', async () => {
    const id = await idOf('invoices', `${key}-inv-s`);
    const before = contentHash((await load(tenant, 'invoice', id))!);

    await admin.query('UPDATE invoices SET notes = $2 WHERE id = $1', [id, 'Paid by check 1001']);
    const changed = contentHash((await load(tenant, 'invoice', id))!);
    await admin.query('UPDATE invoices SET notes = NULL WHERE id = $1', [id]);
    const restored = contentHash((await load(tenant, 'invoice', id))!);

    expect(changed).not.toBe(before);
    expect(restored).toBe(before);
  });

  it('hashes independent of key order', async () => {
    const data = (await load(tenant, 'contract', await idOf('contracts', `${key}-ct-s`)))!;
    const reversed = Object.fromEntries(Object.entries(data).reverse()) as unknown as DocumentData;

    expect(canonicalJson(reversed)).toBe(canonicalJson(data));
    expect(contentHash(reversed)).toBe(contentHash(data));
  });

  it('rejects values JSON cannot carry', () => {
    expect(() => canonicalJson({ at: new Date(0) })).toThrow(/Date/);
    expect(() => canonicalJson({ amount: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ amount: 1n })).toThrow(/bigint/);
  });

  it('escapes a hostile number in the footer and file name', async () => {
    const id = await idOf('invoices', `${hostileKey}-inv-s`);
    await admin.query('UPDATE invoices SET number = $2 WHERE id = $1', [id, `<b>"${hostileKey}"</b>{{7*7}}`]);

    const { rendered } = await render(tenant, 'invoice', id);

    expect(rendered.footerTemplate).toContain(`&lt;b&gt;&quot;${hostileKey}&quot;&lt;/b&gt;{{7*7}}`);
    expect(rendered.footerTemplate).not.toContain('<b>');
    expect(rendered.fileName).toBe(`Invoice -b-${hostileKey}-b-7-7.pdf`);
  });

  it('names files after the kind and number', async () => {
    const { rendered } = await render(tenant, 'invoice', await idOf('invoices', `${key}-inv-s`));
    expect(rendered.fileName).toBe(`Invoice ${key}-INV-1.pdf`);
  });

  it('makes file names safe for Content-Disposition', () => {
    expect(safeFileName('Invoice INV/2026"7\\1')).toBe('Invoice INV-2026-7-1.pdf');
    expect(safeFileName('Proposal Müller\r\nBau')).toBe('Proposal Muller Bau.pdf');
    expect(safeFileName('../../etc/passwd')).toBe('etc-passwd.pdf');
    expect(safeFileName('')).toBe('Document.pdf');
    expect(safeFileName('x'.repeat(500))).toHaveLength(124);
  });

  it('embeds the logo as a data URL', async () => {
    const logo = pngImage(8, 8);
    await admin.query(`UPDATE brandings SET logo = $2, logo_content_type = 'image/png' WHERE tenant_id = $1`, [tenant.tenantId, logo]);
    try {
      const { rendered } = await render(tenant, 'contract', await idOf('contracts', `${key}-ct-s`));
      const encoded = Handlebars.escapeExpression(`data:image/png;base64,${logo.toString('base64')}`);

      expect(rendered.html).toContain(`<img class="letterhead__logo" src="${encoded}"`);
    } finally {
      await admin.query('UPDATE brandings SET logo = NULL, logo_content_type = NULL WHERE tenant_id = $1', [tenant.tenantId]);
    }
  });

  it('prints on Letter for en-US and A4 for en-GB', async () => {
    const contract = await render(tenant, 'contract', await idOf('contracts', `${key}-ct-s`));
    expect(contract.rendered.format).toBe('Letter');
    expect(contract.rendered.html).toContain('size: Letter;');

    await admin.query(`UPDATE tenants SET locale = 'en-GB' WHERE id = $1`, [other.tenantId]);
    const british = await render(other, 'contract', await idOf('contracts', `${other.companies[0].key}-ct-s`));
    expect(british.rendered.format).toBe('A4');
    expect(british.rendered.html).toContain('size: A4;');
    expect(british.rendered.html).toContain('US$1,200.00');
  });

  it('picks paper size from the locale', () => {
    expect(pageFormatFor('en-US')).toBe('Letter');
    expect(pageFormatFor('en-CA')).toBe('Letter');
    expect(pageFormatFor('en-GB')).toBe('A4');
    expect(pageFormatFor('de-DE')).toBe('A4');
    expect(pageFormatFor('not a locale')).toBe('A4');
  });

  it('builds the portal URL from the primary domain or slug', async () => {
    expect((await brandOf(tenant)).portalUrl).toBe(`https://portal.${tenant.slug}.test`);
    expect(portalUrlFor(CONFIG, { slug: 'acme', primaryHost: null })).toBe('https://acme.portal.test');
  });

  it('uses no unescaped template output', () => {
    const files = readdirSync(TEMPLATES_DIR, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.hbs'));

    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) expect(readFileSync(join(TEMPLATES_DIR, file), 'utf8')).not.toContain('{{{');
  });

  it('versions every template', () => {
    for (const kindCase of CASES) expect(Number.isInteger(TEMPLATE_VERSION[kindCase.kind])).toBe(true);
  });

  describe('inspection report with 40 findings', () => {
    const severities = ['advisory', 'minor', 'critical', 'major'];
    let reportId: string;

    beforeAll(async () => {
      const source = await idOf('inspection_reports', `${key}-ir-s`);
      const created = await admin.query<{ id: string }>(
        `INSERT INTO inspection_reports (tenant_id, company_id, site_id, external_id, number, title, inspection_type,
           inspected_on, inspector_name, result, shared_at)
         SELECT tenant_id, company_id, site_id, $2, $3, 'Full building survey', 'NFPA 72 annual', inspected_on,
           'Inspector', 'fail', now()
         FROM inspection_reports WHERE id = $1
         RETURNING id`,
        [source, `${key}-ir-40`, `${key}-IR-40`],
      );
      reportId = created.rows[0].id;
      // Severities interleave by position, so grouping has to reorder them.
      await admin.query(
        `INSERT INTO inspection_findings (tenant_id, company_id, report_id, position, severity, location, description)
         SELECT r.tenant_id, r.company_id, r.id, n, ($2::text[])[1 + n % 4], 'Floor ' || (n / 4 + 1),
           'Finding ' || lpad(n::text, 2, '0')
         FROM inspection_reports r CROSS JOIN generate_series(0, 39) AS n
         WHERE r.id = $1`,
        [reportId, severities],
      );
    });

    it('groups the findings from critical down', async () => {
      const data = (await load(tenant, 'inspection-report', reportId)) as InspectionReportData;

      expect(data.findingGroups.map((group) => group.severity)).toEqual(['critical', 'major', 'minor', 'advisory']);
      expect(data.findingGroups.map((group) => group.count)).toEqual([10, 10, 10, 10]);
      expect(data.totals.findings).toBe(40);
      expect(data.findingGroups[0].findings.map((finding) => finding.description).slice(0, 3)).toEqual([
        'Finding 02',
        'Finding 06',
        'Finding 10',
      ]);
    });

    it('prints the groups in severity order', async () => {
      const { rendered } = await render(tenant, 'inspection-report', reportId);
      const positions = ['critical', 'major', 'minor', 'advisory'].map((severity) =>
        rendered.html.indexOf(`id="findings-${severity}"`),
      );

      expect(positions.every((position) => position > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(rendered.html.match(/Finding \d\d/g)).toHaveLength(40);
      expect(rendered.html.match(/<thead>/g)!.length).toBeGreaterThanOrEqual(5);
    });
  });
});
