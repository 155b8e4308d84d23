import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { LocalStorage } from '../../libs/storage/src/local-storage';
import { AttachmentParentSlug, binaryRequest, BinaryResponse, insertAttachment, minimalPdf } from '../support/attachments';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PortalClient, startPortal } from '../support/portal-harness';

describe('portal record attachments', () => {
  let portal: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let storage: LocalStorage;
  let tenant: TestTenant;
  let other: TestTenant;
  let folder: string;
  let customer: PortalClient;
  let neighbour: PortalClient;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'portal-attachments-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    storage = new LocalStorage(folder);
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'portal-attach');
    other = await provisionTestTenant(admin, 'portal-attach-b');
    ({ app: portal, port } = await startPortal());
    customer = new PortalClient(port, `${tenant.slug}.localhost`);
    expect((await customer.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
    neighbour = new PortalClient(port, `${tenant.slug}.localhost`);
    expect((await neighbour.login(tenant.companies[1].email, TEST_PASSWORD)).status).toBe(303);
  }, 60_000);

  afterAll(async () => {
    await portal?.close();
    await admin?.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  async function recordOf(t: TestTenant, table: string, externalId: string): Promise<{ id: string; companyId: string }> {
    const result = await admin.query<{ id: string; company_id: string }>(
      `SELECT id, company_id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`,
      [t.tenantId, externalId],
    );
    return { id: result.rows[0].id, companyId: result.rows[0].company_id };
  }

  /** Attaches `bytes` to a record the way staff would, with the bytes in the app's storage folder. */
  async function attached(t: TestTenant, parent: AttachmentParentSlug, externalId: string, fileName: string, bytes: Buffer) {
    const table = parent === 'contracts' ? 'contracts' : 'compliance_documents';
    const record = await recordOf(t, table, externalId);
    const fixture = { tenantId: t.tenantId, companyId: record.companyId, parent, recordId: record.id, fileName, bytes };
    const { id, storageKey } = await insertAttachment(admin, fixture, storage);
    return { recordId: record.id, attachmentId: id, storageKey, path: `/${parent}/${record.id}/attachments/${id}` };
  }

  function download(client: PortalClient, path: string, headers: Record<string, string> = {}): Promise<BinaryResponse> {
    return binaryRequest(port, path, { host: client.host, cookie: client.cookieHeader(), ...headers });
  }

  async function downloadsOf(recordId: string): Promise<Array<{ actor_email: string; details: Record<string, unknown> }>> {
    const result = await admin.query(
      `SELECT actor_email, details FROM activity_events WHERE tenant_id = $1 AND action = 'document.downloaded' AND subject_id = $2`,
      [tenant.tenantId, recordId],
    );
    return result.rows;
  }

  it('serves a shared contract PDF byte for byte', async () => {
    const pdf = minimalPdf('Signed service agreement');
    const file = await attached(tenant, 'contracts', `${tenant.companies[0].key}-ct-s`, 'Signed agreement.pdf', pdf);
    expect(file.storageKey.startsWith(`tenants/${tenant.tenantId}/uploads/contracts/${file.recordId}/`)).toBe(true);

    const page = await customer.get(`/contracts/${file.recordId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Attached documents');
    expect(page.body).toContain(`<a href="${file.path}">Signed agreement.pdf</a>`);
    expect(page.body).toContain(`PDF, ${pdf.length} bytes, added`);

    const response = await download(customer, file.path);
    expect(response.status).toBe(200);
    expect(response.body.equals(pdf)).toBe(true);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="Signed agreement.pdf"; filename*=UTF-8''Signed%20agreement.pdf`,
    );
    expect(response.headers['cache-control']).toBe('private, no-cache');
    expect(response.headers['x-content-type-options']).toBe('nosniff');

    const etag = String(response.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await download(customer, file.path, { 'if-none-match': etag })).status).toBe(304);

    expect(await downloadsOf(file.recordId)).toEqual([
      { actor_email: tenant.companies[0].email, details: { file_name: 'Signed agreement.pdf' } },
    ]);
  });

  it('serves compliance document attachments', async () => {
    const pdf = minimalPdf('Certificate of occupancy');
    const file = await attached(tenant, 'compliance-documents', `${tenant.companies[0].key}-cd-s`, 'certificate.pdf', pdf);

    const page = await customer.get(`/compliance-documents/${file.recordId}`);
    expect(page.body).toContain(`<a href="${file.path}">certificate.pdf</a>`);
    const response = await download(customer, file.path);
    expect(response.status).toBe(200);
    expect(response.body.equals(pdf)).toBe(true);
  });

  it('shows a record without attachments', async () => {
    const contract = await recordOf(tenant, 'contracts', `${tenant.companies[1].key}-ct-s`);
    const page = await neighbour.get(`/contracts/${contract.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('No documents are attached to this contract.');
  });

  it('hides attachments until the record is shared', async () => {
    const pdf = minimalPdf('Draft renewal');
    const file = await attached(tenant, 'contracts', `${tenant.companies[0].key}-ct-u`, 'renewal.pdf', pdf);

    expect((await download(customer, file.path)).status).toBe(404);
    expect(await downloadsOf(file.recordId)).toEqual([]);

    await admin.query('UPDATE contracts SET shared_at = now() WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, file.recordId]);
    try {
      expect((await customer.get(`/contracts/${file.recordId}`)).body).toContain(`<a href="${file.path}">renewal.pdf</a>`);
      const response = await download(customer, file.path);
      expect(response.status).toBe(200);
      expect(response.body.equals(pdf)).toBe(true);
    } finally {
      await admin.query('UPDATE contracts SET shared_at = NULL WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, file.recordId]);
    }
    expect((await download(customer, file.path)).status).toBe(404);
  });

  it('returns 404 to another company', async () => {
    const file = await attached(tenant, 'contracts', `${tenant.companies[0].key}-ct-s`, 'other-company.pdf', minimalPdf('Private'));

    const response = await download(neighbour, file.path);
    expect(response.status).toBe(404);
    expect(response.body.toString('utf8')).not.toContain('%PDF-');
  });

  it('returns 404 across tenants', async () => {
    const file = await attached(other, 'contracts', `${other.companies[0].key}-ct-s`, 'foreign.pdf', minimalPdf('Foreign'));
    expect((await download(customer, file.path)).status).toBe(404);

    const ownContract = await recordOf(tenant, 'contracts', `${tenant.companies[0].key}-ct-s`);
    expect((await download(customer, `/contracts/${ownContract.id}/attachments/${file.attachmentId}`)).status).toBe(404);
  });

  it('returns 404 for wrong record, kind or id', async () => {
    const file = await attached(tenant, 'contracts', `${tenant.companies[0].key}-ct-s`, 'paths.pdf', minimalPdf('Paths'));
    const documentId = (await recordOf(tenant, 'compliance_documents', `${tenant.companies[0].key}-cd-s`)).id;

    expect((await download(customer, `/compliance-documents/${documentId}/attachments/${file.attachmentId}`)).status).toBe(404);
    expect((await download(customer, `/invoices/${file.recordId}/attachments/${file.attachmentId}`)).status).toBe(404);
    expect((await download(customer, `/contracts/${file.recordId}/attachments/not-a-uuid`)).status).toBe(404);
    expect((await download(customer, `/contracts/not-a-uuid/attachments/${file.attachmentId}`)).status).toBe(404);
  });

  it('sends a visitor to sign in', async () => {
    const file = await attached(tenant, 'contracts', `${tenant.companies[0].key}-ct-s`, 'visitor.pdf', minimalPdf('Visitor'));
    const visitor = new PortalClient(port, `${tenant.slug}.localhost`);

    const response = await download(visitor, file.path);
    expect(response.status).toBe(303);
    expect(String(response.headers.location)).toMatch(/^\/login/);
  });
});
