import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { HttpResponse, PortalClient, rawRequest, startPortal } from '../support/portal-harness';

/** Lists every file below a folder, recursively, as paths relative to it. */
async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1));
}

describe('portal document downloads', () => {
  let portal: NestExpressApplication;
  let port: number;
  let worker: INestApplication;
  let admin: Pool;
  let tenant: TestTenant;
  let folder: string;
  let browser: PortalClient;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'portal-documents-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'downloads');
    ({ app: portal, port } = await startPortal());
    worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
    await worker.init();
    browser = new PortalClient(port, `${tenant.slug}.localhost`);
    expect((await browser.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await portal?.close();
    await admin.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  async function idOf(table: string, externalId: string): Promise<string> {
    const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`, [tenant.tenantId, externalId]);
    return result.rows[0].id;
  }

  /** Requests a document until it is ready, as the preparing page's reloads do. */
  async function downloadWhenReady(path: string, client = browser): Promise<{ first: HttpResponse; final: HttpResponse }> {
    const first = await client.get(path);
    let final = first;
    const deadline = Date.now() + 30_000;
    while (final.status === 202 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      final = await client.get(path);
    }
    return { first, final };
  }

  it('prepares a document, then serves it as a named PDF with a validator', async () => {
    const key = tenant.companies[0].key;
    const invoiceId = await idOf('invoices', `${key}-inv-s`);
    const detail = await browser.get(`/invoices/${invoiceId}`);
    expect(detail.body).toContain(`href="/invoices/${invoiceId}/pdf"`);

    const { first, final } = await downloadWhenReady(`/invoices/${invoiceId}/pdf`);
    expect(first.status).toBe(202);
    expect(first.body).toContain('Preparing your document');
    expect(first.body).toContain('http-equiv="refresh"');
    expect(final.status).toBe(200);
    expect(final.headers['content-type']).toBe('application/pdf');
    expect(final.headers['content-disposition']).toBe(`attachment; filename="Invoice ${key}-INV-1.pdf"; filename*=UTF-8''Invoice%20${key}-INV-1.pdf`);
    expect(final.headers['cache-control']).toBe('private, no-cache');
    expect(final.body.startsWith('%PDF-')).toBe(true);

    const etag = String(final.headers.etag);
    const cached = await browser.request(`/invoices/${invoiceId}/pdf`, { headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);

    const downloads = await admin.query(
      `SELECT subject_type, subject_id, details FROM activity_events WHERE tenant_id = $1 AND action = 'document.downloaded'`,
      [tenant.tenantId],
    );
    expect(downloads.rows).toEqual([{ subject_type: 'invoices', subject_id: invoiceId, details: { file_name: `Invoice ${key}-INV-1.pdf` } }]);
  }, 60_000);

  it('stores each document once under the tenant prefix, however often it is asked for', async () => {
    const reportId = await idOf('inspection_reports', `${tenant.companies[0].key}-ir-s`);
    const path = `/inspection-reports/${reportId}/pdf`;
    await Promise.all([browser.get(path), browser.get(path), browser.get(path)]);
    expect((await downloadWhenReady(path)).final.status).toBe(200);
    const stored = (await filesBelow(folder)).filter((file) => file.includes(reportId) && file.endsWith('.pdf'));
    expect(stored).toHaveLength(1);
    expect(stored[0].startsWith(`tenants/${tenant.tenantId}/documents/inspection-report/${reportId}/`)).toBe(true);
  }, 60_000);

  it('renders a lost PDF again instead of waiting on the finished job', async () => {
    const orderId = await idOf('work_orders', `${tenant.companies[0].key}-wo-s`);
    const path = `/work-orders/${orderId}/pdf`;
    expect((await downloadWhenReady(path)).final.status).toBe(200);
    const [stored] = (await filesBelow(folder)).filter((file) => file.includes(orderId) && file.endsWith('.pdf'));
    await rm(join(folder, stored));

    const { first, final } = await downloadWhenReady(path);
    expect(first.status).toBe(202);
    expect(final.status).toBe(200);
  }, 60_000);

  it('does not count a HEAD request as a download', async () => {
    const contractId = await idOf('contracts', `${tenant.companies[0].key}-ct-s`);
    const path = `/contracts/${contractId}/pdf`;
    expect((await downloadWhenReady(path)).final.status).toBe(200);
    const downloads = async () =>
      (await admin.query(`SELECT 1 FROM activity_events WHERE action = 'document.downloaded' AND subject_id = $1`, [contractId])).rowCount;
    const before = await downloads();
    expect((await browser.request(path, { method: 'HEAD' })).status).toBe(200);
    expect(await downloads()).toBe(before);
  }, 60_000);

  it('serves the compliance summary of the signed-in company', async () => {
    const list = await browser.get('/compliance');
    expect(list.body).toContain('href="/compliance/summary.pdf"');
    const { final } = await downloadWhenReady('/compliance/summary.pdf');
    expect(final.status).toBe(200);
    expect(final.headers['content-disposition']).toContain('Compliance summary');
  }, 60_000);

  it("answers 404 for another company's, an unshared or a malformed record, and queues nothing", async () => {
    const before = await filesBelow(folder);
    const otherCompany = await idOf('invoices', `${tenant.companies[1].key}-inv-s`);
    const unshared = await idOf('invoices', `${tenant.companies[0].key}-inv-u`);
    for (const path of [`/invoices/${otherCompany}/pdf`, `/invoices/${unshared}/pdf`, '/invoices/not-a-uuid/pdf', `/equipment/${otherCompany}/pdf`]) {
      const response = await browser.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await filesBelow(folder)).toEqual(before);
  });

  it("serves nothing by storage key, even the company's own", async () => {
    const reportId = await idOf('inspection_reports', `${tenant.companies[0].key}-ir-s`);
    expect((await downloadWhenReady(`/inspection-reports/${reportId}/pdf`)).final.status).toBe(200);
    const [stored] = (await filesBelow(folder)).filter((file) => file.includes(reportId) && file.endsWith('.pdf'));
    for (const path of [`/${stored}`, `/documents/${stored}`, `/${encodeURIComponent(stored)}`, `/inspection-reports/${reportId}/pdf/..%2F..%2F${stored}`]) {
      const response = await browser.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.body.startsWith('%PDF-')).toBe(false);
    }
  }, 60_000);

  it('sends visitors to sign in, and a session of another tenant gets nothing', async () => {
    const invoiceId = await idOf('invoices', `${tenant.companies[0].key}-inv-s`);
    const visitor = await rawRequest(port, `${tenant.slug}.localhost`, `/invoices/${invoiceId}/pdf`);
    expect(visitor.status).toBe(303);
    const other = await provisionTestTenant(admin, 'downloads-b');
    const stranger = new PortalClient(port, `${other.slug}.localhost`);
    expect((await stranger.login(other.companies[0].email, TEST_PASSWORD)).status).toBe(303);
    expect((await stranger.get(`/invoices/${invoiceId}/pdf`)).status).toBe(404);
  });
});
