import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { hashPassword } from '../../libs/auth/src/passwords';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, HttpResponse, PortalClient, startConsole } from '../support/portal-harness';

const CONSOLE_HOST = 'console.localhost';

describe('console record documents', () => {
  let app: NestExpressApplication;
  let port: number;
  let worker: INestApplication;
  let admin: Pool;
  let tenant: TestTenant;
  let other: TestTenant;
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'console-documents-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'staff-docs');
    other = await provisionTestTenant(admin, 'staff-docs-b');
    await admin.query(
      `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'Pat Member', 'member', 'active', $3)`,
      [tenant.tenantId, `member@${tenant.slug}.example`, await hashPassword(TEST_PASSWORD)],
    );
    ({ app, port } = await startConsole());
    worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
    await worker.init();
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await admin.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  async function signIn(email = `owner@${tenant.slug}.example`): Promise<PortalClient> {
    const staff = new PortalClient(port, CONSOLE_HOST);
    expect((await staff.submit('/login', '/login', { workspace: tenant.slug, email, password: TEST_PASSWORD, next: '/' })).status).toBe(303);
    return staff;
  }

  async function idOf(t: TestTenant, table: string, externalId: string): Promise<string> {
    const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`, [t.tenantId, externalId]);
    return result.rows[0].id;
  }

  async function storedFor(recordId: string): Promise<string[]> {
    const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
    return entries.filter((entry) => entry.includes(recordId) && entry.endsWith('.pdf'));
  }

  async function downloadWhenReady(staff: PortalClient, path: string): Promise<HttpResponse> {
    let response = await staff.get(path);
    const deadline = Date.now() + 30_000;
    while (response.status === 202 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      response = await staff.get(path);
    }
    return response;
  }

  it('renders the PDF of a record as soon as it is shared', async () => {
    const staff = await signIn();
    const invoiceId = await idOf(tenant, 'invoices', `${tenant.companies[0].key}-inv-u`);
    const page = await staff.get(`/records/invoices/${invoiceId}`);
    expect((await staff.request(`/records/invoices/${invoiceId}/share`, { form: { _csrf: csrfFrom(page.body) } })).status).toBe(303);

    const deadline = Date.now() + 30_000;
    while ((await storedFor(invoiceId)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await storedFor(invoiceId)).toHaveLength(1);

    const detail = await staff.get(`/records/invoices/${invoiceId}`);
    expect(detail.body).toContain(`href="/records/invoices/${invoiceId}/pdf"`);
    const download = await staff.get(`/records/invoices/${invoiceId}/pdf`);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.body.startsWith('%PDF-')).toBe(true);
  }, 60_000);

  it('lets a member download, and explains why an unshared record has no PDF', async () => {
    const member = await signIn(`member@${tenant.slug}.example`);
    const shared = await idOf(tenant, 'proposals', `${tenant.companies[0].key}-pr-s`);
    expect((await downloadWhenReady(member, `/records/proposals/${shared}/pdf`)).status).toBe(200);

    const unshared = await idOf(tenant, 'proposals', `${tenant.companies[1].key}-pr-u`);
    const refused = await member.get(`/records/proposals/${unshared}/pdf`);
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('Share it to prepare the PDF');
    expect(await storedFor(unshared)).toHaveLength(0);
  }, 60_000);

  it("answers 404 for another tenant's record and for kinds without a document", async () => {
    const staff = await signIn();
    const foreign = await idOf(other, 'invoices', `${other.companies[0].key}-inv-s`);
    expect((await staff.get(`/records/invoices/${foreign}/pdf`)).status).toBe(404);
    const equipment = await idOf(tenant, 'equipment', `${tenant.companies[0].key}-eq-s`).catch(() => '00000000-0000-4000-8000-000000000000');
    expect((await staff.get(`/records/equipment/${equipment}/pdf`)).status).toBe(404);
    expect(await storedFor(foreign)).toHaveLength(0);
  });
});
