import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';

import { DocumentRenderService } from '../../apps/worker/src/documents/document-render.service';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { DocumentKind } from '../../libs/documents/src/document-kinds';
import type { DocumentStorage } from '../../libs/storage/src/document-storage';
import { DOCUMENT_STORAGE } from '../../libs/storage/src/storage.module';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';

const run = promisify(execFile);

/** The shared record of a company for each kind, and text its PDF must carry. */
const CASES: Array<{ kind: DocumentKind; table: string; externalId: (key: string) => string; number: (key: string) => string; figures: (key: string) => string[] }> = [
  { kind: 'inspection-report', table: 'inspection_reports', externalId: (k) => `${k}-ir-s`, number: (k) => `${k}-IR-1`, figures: (k) => [`Gauge reads zero (${k})`, `Pump ${k}`] },
  { kind: 'invoice', table: 'invoices', externalId: (k) => `${k}-inv-s`, number: (k) => `${k}-INV-1`, figures: () => ['$220.00', '$50.00', '$170.00'] },
  { kind: 'proposal', table: 'proposals', externalId: (k) => `${k}-pr-s`, number: (k) => `${k}-PR-1`, figures: () => ['$75.00', 'Spare gauge'] },
  { kind: 'contract', table: 'contracts', externalId: (k) => `${k}-ct-s`, number: (k) => `${k}-CT-1`, figures: (k) => ['$1,200.00', `Service agreement ${k}`] },
  { kind: 'work-order', table: 'work_orders', externalId: (k) => `${k}-wo-s`, number: (k) => `${k}-WO-1`, figures: (k) => [`Replace gauges ${k}`] },
  { kind: 'compliance-summary', table: 'customer_companies', externalId: (k) => k, number: (k) => `Company ${k}`, figures: (k) => [`Annual test ${k}`, `Site ${k}`] },
];

/** Extracts a PDF's text with poppler's pdftotext, keeping the layout of each line. */
async function pdfText(file: string): Promise<string> {
  return (await run('pdftotext', ['-layout', file, '-'])).stdout;
}

async function pdfPages(file: string): Promise<number> {
  const { stdout } = await run('pdfinfo', [file]);
  return Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1]);
}

describe('documents rendered to PDF', () => {
  let admin: Pool;
  let tenant: TestTenant;
  let worker: INestApplication;
  let documents: DocumentRenderService;
  let storage: DocumentStorage;
  let folder: string;
  let key: string;
  let companyId: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'documents-'));
    process.env.STORAGE_LOCAL_DIR = join(folder, 'storage');
    process.env.PORTAL_PUBLIC_URL_TEMPLATE = 'https://{host}';
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'pdfs');
    key = tenant.companies[0].key;
    companyId = (await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 AND external_id = $2', [tenant.tenantId, key])).rows[0].id;
    worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
    await worker.init();
    documents = worker.get(DocumentRenderService);
    storage = worker.get(DOCUMENT_STORAGE);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await admin.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
    delete process.env.PORTAL_PUBLIC_URL_TEMPLATE;
  });

  async function idOf(table: string, externalId: string): Promise<string> {
    const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`, [tenant.tenantId, externalId]);
    return result.rows[0].id;
  }

  /** Renders a document through the worker's service and writes the stored PDF to a file. */
  async function renderToFile(kind: DocumentKind, recordId: string): Promise<string> {
    const result = await documents.render({ tenantId: tenant.tenantId, companyId, kind, recordId });
    expect(['rendered', 'already-stored']).toContain(result.outcome);
    const stored = await storage.get(tenant.tenantId, result.key!);
    expect(stored?.contentType).toBe('application/pdf');
    const chunks: Buffer[] = [];
    for await (const chunk of stored!.stream) chunks.push(chunk as Buffer);
    const file = join(folder, `${kind}-${recordId}.pdf`);
    await writeFile(file, Buffer.concat(chunks));
    return file;
  }

  it.each(CASES.map((testCase) => [testCase.kind, testCase] as const))('%s carries its brand, number, figures and portal address', async (_kind, testCase) => {
    const file = await renderToFile(testCase.kind, await idOf(testCase.table, testCase.externalId(key)));
    const text = await pdfText(file);
    expect(text).toContain(`Brand ${tenant.slug}`);
    expect(text).toContain(testCase.number(key));
    for (const figure of testCase.figures(key)) expect(text).toContain(figure);
    expect(text).toContain(`portal.${tenant.slug}.test`);
    expect(text).toMatch(/Page 1 of \d+/);
    await expect(run('qpdf', ['--check', file])).resolves.toBeDefined();
  }, 60_000);

  it('spreads a 40-finding report over pages numbered x of y', async () => {
    const reportId = await idOf('inspection_reports', `${key}-ir-s`);
    await admin.query(
      `INSERT INTO inspection_findings (tenant_id, company_id, report_id, position, severity, location, description, recommendation)
       SELECT $1, $2, $3, 100 + n, (ARRAY['critical','major','minor','advisory'])[1 + n % 4], 'Level ' || n, 'Finding number ' || n || ': corrosion noted on the riser assembly', 'Replace the affected section ' || n
       FROM generate_series(1, 40) n`,
      [tenant.tenantId, companyId, reportId],
    );
    const file = await renderToFile('inspection-report', reportId);
    const pages = await pdfPages(file);
    expect(pages).toBeGreaterThanOrEqual(3);
    const text = await pdfText(file);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('Finding number 40');
    await expect(run('qpdf', ['--check', file])).resolves.toBeDefined();
  }, 60_000);

  it('renders an unchanged document once, and again after a branding change', async () => {
    const request = { tenantId: tenant.tenantId, companyId, kind: 'invoice' as const, recordId: await idOf('invoices', `${key}-inv-s`) };
    const first = await documents.render(request);
    const again = await documents.render(request);
    expect(again).toEqual({ outcome: 'already-stored', key: first.key });

    await admin.query(`UPDATE brandings SET primary_color = '#224466', version = version + 1 WHERE tenant_id = $1`, [tenant.tenantId]);
    const rebranded = await documents.render(request);
    expect(rebranded.outcome).toBe('rendered');
    expect(rebranded.key).not.toBe(first.key);
    expect(rebranded.key!.startsWith(`tenants/${tenant.tenantId}/`)).toBe(true);
  }, 60_000);

  it('renders nothing for a record its company cannot see', async () => {
    const hidden = await idOf('invoices', `${key}-inv-u`);
    expect(await documents.render({ tenantId: tenant.tenantId, companyId, kind: 'invoice', recordId: hidden })).toEqual({ outcome: 'not-visible' });
    const otherCompany = await idOf('invoices', `${tenant.companies[1].key}-inv-s`);
    expect(await documents.render({ tenantId: tenant.tenantId, companyId, kind: 'invoice', recordId: otherCompany })).toEqual({ outcome: 'not-visible' });
  });

  describe('hostile record fields', () => {
    let server: Server;
    const requests: string[] = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        requests.push(req.url ?? '');
        res.end('x');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('prints markup, links and template expressions as text and fetches nothing', async () => {
      const port = (server.address() as AddressInfo).port;
      const hostile = [
        `<img src="http://127.0.0.1:${port}/img">`,
        `<link rel="stylesheet" href="http://127.0.0.1:${port}/css">`,
        '<link href="file:///etc/passwd">',
        `<iframe src="http://127.0.0.1:${port}/frame"></iframe>`,
        '{{7*7}}',
      ].join(' ');
      const invoiceId = await idOf('invoices', `${key}-inv-s`);
      await admin.query('UPDATE invoices SET notes = $2 WHERE id = $1', [invoiceId, hostile]);
      await admin.query('UPDATE invoice_lines SET description = $2 WHERE invoice_id = $1', [invoiceId, hostile]);

      const text = await pdfText(await renderToFile('invoice', invoiceId));
      expect(requests).toEqual([]);
      expect(text).toContain('{{7*7}}');
      expect(text).toContain('<iframe');
      expect(text).not.toMatch(/root:x:0:0/);
    }, 60_000);
  });
});
