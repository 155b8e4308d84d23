import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { MAX_ATTACHMENT_BYTES } from '../../libs/attachments/src/pdf-file';
import { hashPassword } from '../../libs/auth/src/passwords';
import { binaryRequest, BinaryResponse, minimalPdf } from '../support/attachments';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, startConsole } from '../support/portal-harness';

const CONSOLE_HOST = 'console.localhost';
const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);
const HTML_BYTES = Buffer.from('<!DOCTYPE html>\n<html><body><script>alert(1)</script>%%EOF</body></html>\n');

interface Upload {
  csrf?: string;
  fileName?: string;
  bytes: Buffer;
}

/** Builds the multipart body a browser sends for the attach form: the CSRF field first, then the file. */
function multipartBody(upload: Upload): { body: Buffer; contentType: string } {
  const boundary = `----attach${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  if (upload.csrf !== undefined) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${upload.csrf}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${upload.fileName ?? 'contract.pdf'}"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    ),
    upload.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('console record attachments', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let other: TestTenant;
  let folder: string;
  let owner: PortalClient;
  let member: PortalClient;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'console-attachments-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'attach');
    other = await provisionTestTenant(admin, 'attach-b');
    await admin.query(
      `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'Pat Member', 'member', 'active', $3)`,
      [tenant.tenantId, `member@${tenant.slug}.example`, await hashPassword(TEST_PASSWORD)],
    );
    ({ app, port } = await startConsole());
    owner = await signIn(`owner@${tenant.slug}.example`);
    member = await signIn(`member@${tenant.slug}.example`);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await admin?.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  async function signIn(email: string): Promise<PortalClient> {
    const staff = new PortalClient(port, CONSOLE_HOST);
    const login = await staff.submit('/login', '/login', { workspace: tenant.slug, email, password: TEST_PASSWORD, next: '/' });
    expect(login.status).toBe(303);
    return staff;
  }

  async function idOf(t: TestTenant, table: string, externalId: string): Promise<string> {
    const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`, [
      t.tenantId,
      externalId,
    ]);
    return result.rows[0].id;
  }

  function contractOf(t: TestTenant, company = 0): Promise<string> {
    return idOf(t, 'contracts', `${t.companies[company].key}-ct-u`);
  }

  function get(staff: PortalClient, path: string, headers: Record<string, string> = {}): Promise<BinaryResponse> {
    return binaryRequest(port, path, { host: CONSOLE_HOST, cookie: staff.cookieHeader(), ...headers });
  }

  /** Posts the attach form of `pagePath` with the page's CSRF token, unless `csrf` overrides it. */
  async function attach(staff: PortalClient, pagePath: string, upload: Upload, action = `${pagePath}/attachments`): Promise<BinaryResponse> {
    const page = await staff.get(pagePath);
    const csrf = 'csrf' in upload ? upload.csrf : csrfFrom(page.body);
    const { body, contentType } = multipartBody({ ...upload, csrf });
    const headers = { host: CONSOLE_HOST, cookie: staff.cookieHeader(), 'content-type': contentType, 'content-length': String(body.length) };
    return binaryRequest(port, action, headers, { method: 'POST', body });
  }

  async function attachmentsOf(recordId: string): Promise<Array<{ id: string; file_name: string; storage_key: string; byte_size: number }>> {
    const result = await admin.query(
      `SELECT id, file_name, storage_key, byte_size FROM record_attachments
       WHERE tenant_id = $1 AND (contract_id = $2 OR compliance_document_id = $2) ORDER BY created_at`,
      [tenant.tenantId, recordId],
    );
    return result.rows;
  }

  async function activityOf(recordId: string, action: string): Promise<Array<{ actor_id: string; details: Record<string, unknown> }>> {
    const result = await admin.query(
      'SELECT actor_id, details FROM activity_events WHERE tenant_id = $1 AND subject_id = $2 AND action = $3 ORDER BY occurred_at',
      [tenant.tenantId, recordId, action],
    );
    return result.rows;
  }

  it('shows the attach form on contract pages to every role', async () => {
    const contractId = await contractOf(tenant);
    const page = await member.get(`/records/contracts/${contractId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Attached PDFs');
    expect(page.body).toContain(`action="/records/contracts/${contractId}/attachments" enctype="multipart/form-data"`);
    expect(page.body).toContain('accept=".pdf,application/pdf"');
    expect(page.body).toContain('No PDF is attached to this contract yet.');
  });

  it('leaves other record kinds without the form', async () => {
    const invoiceId = await idOf(tenant, 'invoices', `${tenant.companies[0].key}-inv-u`);
    const page = await owner.get(`/records/invoices/${invoiceId}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('Attached PDFs');
  });

  it('attaches a PDF and downloads it byte for byte', async () => {
    const contractId = await contractOf(tenant);
    const pdf = minimalPdf('Signed service agreement');
    const pagePath = `/records/contracts/${contractId}`;

    const response = await attach(member, pagePath, { bytes: pdf, fileName: 'Signed agreement – 2026.pdf' });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`${pagePath}?done=attached`);

    const [row] = await attachmentsOf(contractId);
    expect(row.file_name).toBe('Signed agreement – 2026.pdf');
    expect(row.byte_size).toBe(pdf.length);
    expect(row.storage_key.startsWith(`tenants/${tenant.tenantId}/uploads/contracts/${contractId}/`)).toBe(true);
    expect(await readFile(join(folder, row.storage_key))).toEqual(pdf);

    const page = await member.get(`${pagePath}?done=attached`);
    expect(page.body).toContain('The PDF is attached.');
    expect(page.body).toContain(`href="${pagePath}/attachments/${row.id}"`);
    expect(page.body).toContain('Signed agreement – 2026.pdf');
    expect(page.body).toContain('by Pat Member');
    // Members may attach but not remove.
    expect(page.body).not.toContain(`${row.id}/remove`);

    const download = await get(member, `${pagePath}/attachments/${row.id}`);
    expect(download.status).toBe(200);
    expect(download.body.equals(pdf)).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="Signed agreement - 2026.pdf"; filename*=UTF-8''Signed%20agreement%20-%202026.pdf`,
    );
    expect(download.headers['cache-control']).toBe('private, no-cache');
    const etag = String(download.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await get(member, `${pagePath}/attachments/${row.id}`, { 'if-none-match': etag })).status).toBe(304);

    const added = await activityOf(contractId, 'record.attachment_added');
    expect(added).toHaveLength(1);
    expect(added[0].details).toEqual({ attachment_id: row.id, file_name: 'Signed agreement – 2026.pdf', byte_size: pdf.length });
  });

  it('adds nothing for the same bytes twice', async () => {
    const contractId = await contractOf(tenant, 1);
    const pagePath = `/records/contracts/${contractId}`;
    const pdf = minimalPdf('Certificate of inspection');

    expect((await attach(owner, pagePath, { bytes: pdf, fileName: 'first.pdf' })).headers.location).toBe(`${pagePath}?done=attached`);
    const again = await attach(owner, pagePath, { bytes: pdf, fileName: 'renamed copy.pdf' });
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`${pagePath}?done=already_attached`);
    expect((await owner.get(String(again.headers.location))).body).toContain('This PDF was attached already, so nothing was added.');

    const rows = await attachmentsOf(contractId);
    expect(rows.map((row) => row.file_name)).toEqual(['first.pdf']);
    expect(await activityOf(contractId, 'record.attachment_added')).toHaveLength(1);
  });

  it('attaches to compliance documents too', async () => {
    const documentId = await idOf(tenant, 'compliance_documents', `${tenant.companies[0].key}-cd-s`);
    const pagePath = `/records/compliance-documents/${documentId}`;
    const pdf = minimalPdf('Fire marshal certificate');

    const response = await attach(owner, pagePath, { bytes: pdf, fileName: 'certificate.pdf' });
    expect(response.headers.location).toBe(`${pagePath}?done=attached`);
    const [row] = await attachmentsOf(documentId);
    expect(row.storage_key.startsWith(`tenants/${tenant.tenantId}/uploads/compliance-documents/${documentId}/`)).toBe(true);
    expect((await owner.get(pagePath)).body).toContain('Customers of Company');
    expect((await get(owner, `${pagePath}/attachments/${row.id}`)).body.equals(pdf)).toBe(true);
  });

  it('stores and shows the name without format characters', async () => {
    const documentId = await idOf(tenant, 'compliance_documents', `${tenant.companies[1].key}-cd-s`);
    const pagePath = `/records/compliance-documents/${documentId}`;

    const response = await attach(owner, pagePath, { bytes: minimalPdf('Bidi name'), fileName: 'evil\u202egnp.exe\u200b.pdf' });
    expect(response.headers.location).toBe(`${pagePath}?done=attached`);

    const [row] = await attachmentsOf(documentId);
    expect(row.file_name).toBe('evilgnp.exe.pdf');
    const page = (await owner.get(pagePath)).body;
    expect(page).toContain('evilgnp.exe.pdf');
    expect(page).not.toMatch(/[\u202e\u200b]/);
  });

  it.each([
    ['a PNG named .pdf', PNG_BYTES, 'The file is not a PDF, because its content is a PNG image.'],
    ['an HTML page named .pdf', HTML_BYTES, 'The file is not a PDF, because its content is an HTML page.'],
    ['an empty file', Buffer.alloc(0), 'The file is empty.'],
    ['a PDF cut short', minimalPdf('Truncated').subarray(0, 200), 'its end-of-file marker %%EOF is missing'],
  ])('rejects %s with the reason', async (_case, bytes, reason) => {
    const contractId = await contractOf(tenant);
    const before = await attachmentsOf(contractId);

    const response = await attach(owner, `/records/contracts/${contractId}`, { bytes, fileName: 'contract.pdf' });
    expect(response.status).toBe(400);
    expect(response.body.toString('utf8')).toContain(reason);
    expect(response.body.toString('utf8')).toContain(`href="/records/contracts/${contractId}"`);
    expect(await attachmentsOf(contractId)).toEqual(before);
  });

  it('rejects a file over 10 MB with 413', async () => {
    const contractId = await contractOf(tenant);
    const before = await attachmentsOf(contractId);
    const bytes = Buffer.concat([minimalPdf('Large'), Buffer.alloc(MAX_ATTACHMENT_BYTES)]);

    const response = await attach(owner, `/records/contracts/${contractId}`, { bytes });
    expect(response.status).toBe(413);
    expect(response.body.toString('utf8')).toContain('The file is larger than 10 MB. Attach a smaller PDF.');
    expect(await attachmentsOf(contractId)).toEqual(before);
  });

  it('rejects an upload without the CSRF token', async () => {
    const contractId = await contractOf(tenant);
    const before = await attachmentsOf(contractId);

    const missing = await attach(owner, `/records/contracts/${contractId}`, { csrf: undefined, bytes: minimalPdf('No token') });
    expect(missing.status).toBe(403);
    const wrong = await attach(owner, `/records/contracts/${contractId}`, { csrf: 'x'.repeat(43), bytes: minimalPdf('Bad token') });
    expect(wrong.status).toBe(403);
    expect(await attachmentsOf(contractId)).toEqual(before);
  });

  it('returns 404 across tenants', async () => {
    const foreignContract = await contractOf(other);
    const ownPage = `/records/contracts/${await contractOf(tenant)}`;
    const foreignAction = `/records/contracts/${foreignContract}/attachments`;
    const foreignUpload = await attach(owner, ownPage, { bytes: minimalPdf('Cross') }, foreignAction);
    expect(foreignUpload.status).toBe(404);
    expect((await owner.get(`/records/contracts/${foreignContract}`)).status).toBe(404);
    const foreignRows = await admin.query('SELECT 1 FROM record_attachments WHERE tenant_id = $1', [other.tenantId]);
    expect(foreignRows.rowCount).toBe(0);

    // An attachment of the other tenant, reached through its own record or through one of ours.
    const otherOwner = new PortalClient(port, CONSOLE_HOST);
    const login = await otherOwner.submit('/login', '/login', {
      workspace: other.slug,
      email: `owner@${other.slug}.example`,
      password: TEST_PASSWORD,
      next: '/',
    });
    expect(login.status).toBe(303);
    const attached = await attach(otherOwner, `/records/contracts/${foreignContract}`, { bytes: minimalPdf('Theirs') });
    expect(attached.status).toBe(303);
    const foreignAttachment = (
      await admin.query<{ id: string }>('SELECT id FROM record_attachments WHERE tenant_id = $1', [other.tenantId])
    ).rows[0].id;
    const ownContract = await contractOf(tenant);
    expect((await get(owner, `/records/contracts/${foreignContract}/attachments/${foreignAttachment}`)).status).toBe(404);
    expect((await get(owner, `/records/contracts/${ownContract}/attachments/${foreignAttachment}`)).status).toBe(404);
    expect((await get(otherOwner, `/records/contracts/${foreignContract}/attachments/${foreignAttachment}`)).status).toBe(200);
  });

  it('returns 404 for wrong record, kind or id', async () => {
    const contractId = await contractOf(tenant);
    const [row] = await attachmentsOf(contractId);
    const otherContract = await contractOf(tenant, 1);
    expect((await get(owner, `/records/contracts/${otherContract}/attachments/${row.id}`)).status).toBe(404);
    expect((await get(owner, `/records/compliance-documents/${contractId}/attachments/${row.id}`)).status).toBe(404);
    expect((await get(owner, `/records/invoices/${contractId}/attachments/${row.id}`)).status).toBe(404);
    expect((await get(owner, `/records/contracts/${contractId}/attachments/not-a-uuid`)).status).toBe(404);
    expect((await get(owner, `/records/contracts/not-a-uuid/attachments/${row.id}`)).status).toBe(404);
  });

  it('lets owners and admins remove, and members not', async () => {
    const contractId = await contractOf(tenant);
    const pagePath = `/records/contracts/${contractId}`;
    const [row] = await attachmentsOf(contractId);
    const removeAction = `${pagePath}/attachments/${row.id}/remove`;

    const memberPage = await member.get(pagePath);
    const forbidden = await member.request(removeAction, { form: { _csrf: csrfFrom(memberPage.body) } });
    expect(forbidden.status).toBe(403);
    expect(await attachmentsOf(contractId)).toHaveLength(1);

    const ownerPage = await owner.get(pagePath);
    expect(ownerPage.body).toContain(`action="${removeAction}"`);
    const removed = await owner.request(removeAction, { form: { _csrf: csrfFrom(ownerPage.body) } });
    expect(removed.status).toBe(303);
    expect(removed.headers.location).toBe(`${pagePath}?done=attachment_removed`);
    expect(await attachmentsOf(contractId)).toHaveLength(0);
    await expect(stat(join(folder, row.storage_key))).rejects.toThrow(/ENOENT/);
    expect((await get(owner, `${pagePath}/attachments/${row.id}`)).status).toBe(404);

    const removals = await activityOf(contractId, 'record.attachment_removed');
    expect(removals).toHaveLength(1);
    expect(removals[0].details).toEqual({ attachment_id: row.id, file_name: row.file_name });

    const again = await owner.request(removeAction, { form: { _csrf: csrfFrom(ownerPage.body) } });
    expect(again.headers.location).toBe(`${pagePath}?done=attachment_already_removed`);
  });
});
