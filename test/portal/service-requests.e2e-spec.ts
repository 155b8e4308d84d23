import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { Pool } from 'pg';

import { hashPassword } from '../../libs/auth/src/passwords';
import { binaryRequest, minimalPdf } from '../support/attachments';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { pngImage } from '../support/images';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { PortalClient, startPortal } from '../support/portal-harness';
import { decodeQuotedPrintable, waitForMail } from '../support/smtp-sink';
import { filesUnder, formKeysFrom, heicBytes, jpegBytes, postRequestForm } from '../support/service-requests';

const RATE_LIMIT = 3;

describe('portal service request form', () => {
  let portal: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let folder: string;
  let mail: MailWorker;
  let tenant: TestTenant;
  let other: TestTenant;
  let customer: PortalClient;
  let colleague: PortalClient;
  let neighbour: PortalClient;
  let siteId: string;
  let secondSiteId: string;
  let equipmentId: string;
  let neighbourSiteId: string;
  let neighbourEquipmentId: string;
  let otherTenantSiteId: string;
  let redis: Redis;

  // Most tests submit as `customer`; its hourly count starts fresh for each,
  // and only the limit test counts up to the limit, as another user.
  beforeEach(async () => {
    const user = await admin.query<{ id: string }>('SELECT id FROM portal_users WHERE tenant_id = $1 AND email = $2', [
      tenant.tenantId,
      tenant.companies[0].email,
    ]);
    await redis.del(`service-requests:${tenant.tenantId}:${user.rows[0].id}`);
  });

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    folder = await mkdtemp(join(tmpdir(), 'service-requests-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    process.env.SERVICE_REQUESTS_PER_HOUR = String(RATE_LIMIT);
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'sr');
    other = await provisionTestTenant(admin, 'sr-b');
    await addColleagues();
    mail = await startMailWorker();
    ({ app: portal, port } = await startPortal());
    customer = await signIn(tenant.companies[0].email);
    colleague = await signIn(`colleague-1@${tenant.slug}.example`);
    neighbour = await signIn(tenant.companies[1].email);

    siteId = await idOf('sites', `${tenant.companies[0].key}-site`);
    equipmentId = await idOf('equipment', `${tenant.companies[0].key}-eq-s`);
    neighbourSiteId = await idOf('sites', `${tenant.companies[1].key}-site`);
    neighbourEquipmentId = await idOf('equipment', `${tenant.companies[1].key}-eq-s`);
    otherTenantSiteId = await idOf('sites', `${other.companies[0].key}-site`, other);
    secondSiteId = await addSecondSite();
  }, 60_000);

  afterAll(async () => {
    await redis?.quit();
    await portal?.close();
    await mail?.stop();
    await admin?.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
    delete process.env.SERVICE_REQUESTS_PER_HOUR;
  });

  /** Adds two more users to company 1: one to read shared requests, one to exhaust the hourly limit. */
  async function addColleagues(): Promise<void> {
    const company = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 AND external_id = $2', [
      tenant.tenantId,
      tenant.companies[0].key,
    ]);
    const hash = await hashPassword(TEST_PASSWORD);
    for (const index of [1, 2]) {
      await admin.query(
        `INSERT INTO portal_users (tenant_id, company_id, email, name, password_hash, status) VALUES ($1, $2, $3, $4, $5, 'active')`,
        [tenant.tenantId, company.rows[0].id, `colleague-${index}@${tenant.slug}.example`, `Colleague ${index}`, hash],
      );
    }
  }

  async function addSecondSite(): Promise<string> {
    const site = await admin.query<{ id: string }>(
      `INSERT INTO sites (tenant_id, company_id, external_id, name, address_line1, city)
       SELECT tenant_id, company_id, $2, 'Annex', '2 Side St', 'Springfield' FROM sites WHERE tenant_id = $1 AND id = $3
       RETURNING id`,
      [tenant.tenantId, `${tenant.companies[0].key}-annex`, siteId],
    );
    return site.rows[0].id;
  }

  async function idOf(table: string, externalId: string, owner: TestTenant = tenant): Promise<string> {
    const result = await admin.query<{ id: string }>(`SELECT id FROM ${table} WHERE tenant_id = $1 AND external_id = $2`, [
      owner.tenantId,
      externalId,
    ]);
    return result.rows[0].id;
  }

  async function signIn(email: string): Promise<PortalClient> {
    const client = new PortalClient(port, `${tenant.slug}.localhost`);
    expect((await client.login(email, TEST_PASSWORD)).status).toBe(303);
    return client;
  }

  /** Opens the form and returns its fields filled with a valid request, with `changes` applied. */
  let formsFilled = 0;

  /**
   * Loads the form and fills it in. Each description is different, because
   * the same text from the same user within ten minutes counts as a resubmit.
   */
  async function filledForm(client: PortalClient, changes: Record<string, string> = {}): Promise<Array<[string, string]>> {
    formsFilled += 1;
    const page = await client.get('/service-requests/new');
    expect(page.status).toBe(200);
    const { csrf, submissionKey } = formKeysFrom(page.body);
    const values: Record<string, string> = {
      _csrf: csrf,
      submission_key: submissionKey,
      site_id: siteId,
      equipment_id: '',
      category: 'sprinkler',
      urgency: 'high',
      description: `Water drips from the sprinkler head in the lobby (form ${formsFilled}).`,
      preferred_date_1: '',
      ...changes,
    };
    return Object.entries(values);
  }

  function keyOf(fields: Array<[string, string]>): string {
    return fields.find(([name]) => name === 'submission_key')![1];
  }

  async function requestsWithKey(key: string): Promise<Array<{ id: string; number: string; shared_at: Date | null; status: string }>> {
    const result = await admin.query('SELECT id, number, shared_at, status FROM service_requests WHERE tenant_id = $1 AND submission_key = $2', [
      tenant.tenantId,
      key,
    ]);
    return result.rows;
  }

  function requestIdFrom(location: string | string[] | undefined): string {
    const match = /^\/service-requests\/([0-9a-f-]{36})\?submitted=(created|duplicate)$/.exec(String(location));
    if (!match) throw new Error(`unexpected redirect ${String(location)}`);
    return match[1];
  }

  it('form lists only the company sites', async () => {
    const page = await customer.get('/service-requests/new');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`value="${siteId}"`);
    expect(page.body).toContain(`value="${equipmentId}"`);
    expect(page.body).not.toContain(neighbourSiteId);
    expect(page.body).not.toContain(neighbourEquipmentId);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect((await customer.get('/service-requests')).body).toContain('href="/service-requests/new"');
    expect((await customer.get('/')).body).toContain('href="/service-requests/new"');
  });

  it('creates a request with photos and a PDF', async () => {
    const inTenDays = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const fields = await filledForm(customer, { equipment_id: equipmentId, preferred_date_1: inTenDays });
    const photo = pngImage(4, 4);
    const pdf = minimalPdf('Floor plan');
    const response = await postRequestForm(customer, fields, [
      { name: 'leak.png', bytes: photo, type: 'image/png' },
      { name: 'plan.pdf', bytes: pdf, type: 'application/pdf' },
      { name: 'IMG_0001.HEIC', bytes: heicBytes(), type: 'image/heic' },
    ]);
    expect(response.status).toBe(303);
    const id = requestIdFrom(response.headers.location);

    const [row] = await requestsWithKey(keyOf(fields));
    expect(row.id).toBe(id);
    expect(row.number).toMatch(/^SR-\d{6}$/);
    expect(row.shared_at).not.toBeNull();
    expect(row.status).toBe('submitted');
    const preferred = await admin.query('SELECT preferred_dates FROM service_requests WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, id]);
    expect(preferred.rows[0].preferred_dates).toBe(inTenDays);

    const files = await admin.query<{ id: string; content_type: string; storage_key: string; file_name: string }>(
      'SELECT id, content_type, storage_key, file_name FROM record_attachments WHERE tenant_id = $1 AND service_request_id = $2 ORDER BY file_name',
      [tenant.tenantId, id],
    );
    expect(files.rows.map((file) => file.content_type)).toEqual(['image/heic', 'image/png', 'application/pdf']);
    for (const file of files.rows) expect(file.storage_key.startsWith(`tenants/${tenant.tenantId}/uploads/service-requests/${id}/`)).toBe(true);

    const page = await customer.get(`/service-requests/${id}?submitted=created`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(row.number);
    expect(page.body).toContain('Your service request has been submitted.');
    const photoRow = files.rows.find((file) => file.file_name === 'leak.png')!;
    expect(page.body).toContain(`href="/service-requests/${id}/attachments/${photoRow.id}"`);

    const download = await binaryRequest(port, `/service-requests/${id}/attachments/${photoRow.id}`, {
      host: customer.host,
      cookie: customer.cookieHeader(),
    });
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toContain('attachment; filename="leak.png"');
    expect(download.body.equals(photo)).toBe(true);

    const activity = await admin.query('SELECT 1 FROM activity_events WHERE tenant_id = $1 AND action = $2 AND subject_id = $3', [
      tenant.tenantId,
      'service.request_submitted',
      id,
    ]);
    expect(activity.rowCount).toBe(1);

    // Every portal user of the company sees it; another company's user does not.
    const shared = await colleague.get(`/service-requests/${id}`);
    expect(shared.status).toBe(200);
    expect(shared.body).toContain(row.number);
    expect((await neighbour.get(`/service-requests/${id}`)).status).toBe(404);
    const foreignDownload = await binaryRequest(port, `/service-requests/${id}/attachments/${photoRow.id}`, {
      host: neighbour.host,
      cookie: neighbour.cookieHeader(),
    });
    expect(foreignDownload.status).toBe(404);
  });

  it('rejects a PDF-named file that is not a PDF', async () => {
    const fields = await filledForm(customer, { description: 'Keep this description text.' });
    const html = Buffer.from('<!DOCTYPE html><html><body>%%EOF</body></html>');
    const response = await postRequestForm(customer, fields, [{ name: 'invoice.pdf', bytes: html, type: 'application/pdf' }]);
    const body = response.body.toString('utf8');

    expect(response.status).toBe(400);
    expect(body).toContain('invoice.pdf is named as a PDF, but its content is an HTML page.');
    expect(body).toContain('id="attachments-problem"');
    expect(body).toContain('Keep this description text.');
    expect(body).toContain(`<option value="${siteId}" selected>`);
    expect(body).toContain('choose any photos or PDFs again');
    expect(await requestsWithKey(keyOf(fields))).toHaveLength(0);
  });

  it('rejects an oversize photo', async () => {
    const fields = await filledForm(customer, { description: 'A very large photo follows.' });
    const response = await postRequestForm(customer, fields, [{ name: 'huge.jpg', bytes: jpegBytes(10 * 1024 * 1024 + 1), type: 'image/jpeg' }]);
    const body = response.body.toString('utf8');

    expect(response.status).toBe(400);
    expect(body).toContain('A file is larger than 10 MB.');
    expect(body).toContain('A very large photo follows.');
    expect(await requestsWithKey(keyOf(fields))).toHaveLength(0);
  });

  it('rejects a body over every limit unread', async () => {
    const headers = {
      host: customer.host,
      cookie: customer.cookieHeader(),
      'content-type': 'multipart/form-data; boundary=x',
      'content-length': String(60 * 1024 * 1024),
    };
    const response = await binaryRequest(port, '/service-requests/new', headers, { method: 'POST', body: Buffer.from('--x--\r\n') });

    expect(response.status).toBe(413);
    expect(response.body.toString('utf8')).toContain('Go back and attach fewer or smaller files.');
  });

  it('rejects a form without a site', async () => {
    const fields = await filledForm(customer, { site_id: '', description: 'No site chosen here.' });
    const response = await postRequestForm(customer, fields);
    const body = response.body.toString('utf8');

    expect(response.status).toBe(400);
    expect(body).toContain('<p class="field-error" id="site_id-problem">Choose the site that needs service.</p>');
    expect(body).toMatch(/id="site_id" name="site_id" required aria-invalid="true"/);
    expect(body).toContain('No site chosen here.');
    expect(await requestsWithKey(keyOf(fields))).toHaveLength(0);
  });

  it('rejects bad field values by name', async () => {
    const fields = await filledForm(customer, { category: 'plumbing', urgency: 'whenever', description: 'short', preferred_date_1: '2000-01-01' });
    const body = (await postRequestForm(customer, fields)).body.toString('utf8');

    expect(body).toContain('id="category-problem">Choose a category.');
    expect(body).toContain('id="urgency-problem">Choose how urgent the request is.');
    expect(body).toContain('id="description-problem">Write at least 10 characters.');
    expect(body).toContain('id="preferred_dates-problem">2000-01-01 is in the past');
    expect(await requestsWithKey(keyOf(fields))).toHaveLength(0);
  });

  it.each([
    ['another company site', () => ({ site_id: neighbourSiteId }), 'site_id-problem'],
    ['another tenant site', () => ({ site_id: otherTenantSiteId }), 'site_id-problem'],
    ['another company equipment', () => ({ equipment_id: neighbourEquipmentId }), 'equipment_id-problem'],
    ['equipment of another site', () => ({ site_id: secondSiteId, equipment_id: equipmentId }), 'equipment_id-problem'],
  ])('rejects %s', async (_case, changes, problemId) => {
    const fields = await filledForm(customer, changes());
    const response = await postRequestForm(customer, fields);

    expect(response.status).toBe(400);
    expect(response.body.toString('utf8')).toContain(`id="${problemId}"`);
    expect(await requestsWithKey(keyOf(fields))).toHaveLength(0);
  });

  it('creates one request for a double submit', async () => {
    const fields = await filledForm(customer, { description: 'Submitted twice at once.' });
    const files = [{ name: 'same.png', bytes: pngImage(3, 3) }];
    const [first, second] = await Promise.all([postRequestForm(customer, fields, files), postRequestForm(customer, fields, files)]);

    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    const rows = await requestsWithKey(keyOf(fields));
    expect(rows).toHaveLength(1);
    expect(requestIdFrom(first.headers.location)).toBe(rows[0].id);
    expect(requestIdFrom(second.headers.location)).toBe(rows[0].id);
    expect([first.headers.location, second.headers.location].filter((location) => String(location).endsWith('duplicate'))).toHaveLength(1);

    // The losing submit's upload is gone, and the winner's file is still there.
    const stored = (await filesUnder(join(folder, `tenants/${tenant.tenantId}/uploads/service-requests`))).filter(
      (path) => !path.endsWith('.meta.json'),
    );
    expect(stored.filter((path) => path.startsWith(rows[0].id))).toHaveLength(1);
    expect(stored.every((path) => !path.includes('.tmp'))).toBe(true);
    const attachments = await admin.query('SELECT storage_key FROM record_attachments WHERE tenant_id = $1', [tenant.tenantId]);
    const keys = new Set(attachments.rows.map((row: { storage_key: string }) => row.storage_key));
    for (const path of stored) expect(keys.has(`tenants/${tenant.tenantId}/uploads/service-requests/${path}`)).toBe(true);

    // A third submit of the same form later also finds the request.
    const again = await postRequestForm(customer, fields, files);
    expect(again.headers.location).toBe(`/service-requests/${rows[0].id}?submitted=duplicate`);

    // One webhook event, recorded in the request's own transaction.
    const events = await admin.query<{ payload: Record<string, unknown> }>(
      "SELECT payload FROM webhook_events WHERE tenant_id = $1 AND type = 'service_request.created' AND payload->>'service_request_id' = $2",
      [tenant.tenantId, rows[0].id],
    );
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].payload.number).toBe(rows[0].number);
  });

  it('leaves no row or file when the insert fails', async () => {
    // The pause lets the test see the uploaded files in storage before the insert fails.
    await admin.query(`CREATE FUNCTION fail_attachment() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.file_name = 'explode.png' THEN PERFORM pg_sleep(1); RAISE EXCEPTION 'forced failure'; END IF; RETURN NEW; END $$`);
    await admin.query('CREATE TRIGGER fail_attachment BEFORE INSERT ON record_attachments FOR EACH ROW EXECUTE FUNCTION fail_attachment()');
    const before = await filesUnder(folder);
    try {
      const fields = await filledForm(customer, { description: 'This one must vanish.' });
      const pending = postRequestForm(customer, fields, [
        { name: 'first.png', bytes: pngImage(2, 2) },
        { name: 'explode.png', bytes: pngImage(5, 5) },
      ]);
      let uploaded: string[] = [];
      for (let attempt = 0; attempt < 40 && uploaded.length < 2; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        uploaded = (await filesUnder(folder)).filter((path) => !before.includes(path) && path.endsWith('.png'));
      }
      expect(uploaded).toHaveLength(2);
      const response = await pending;
      const body = response.body.toString('utf8');

      expect(response.status).toBe(500);
      expect(body).not.toContain('forced failure');
      expect(await requestsWithKey(keyOf(fields))).toHaveLength(0);
      expect(await filesUnder(folder)).toEqual(before);
    } finally {
      await admin.query('DROP TRIGGER fail_attachment ON record_attachments');
      await admin.query('DROP FUNCTION fail_attachment()');
    }
  });

  it('emails the confirmation to the submitter and staff', async () => {
    const fields = await filledForm(neighbour, { site_id: neighbourSiteId, description: 'Fire alarm panel beeps all night.' });
    const response = await postRequestForm(neighbour, fields);
    expect(response.status).toBe(303);
    const [row] = await requestsWithKey(keyOf(fields));

    const [received] = await waitForMail(mail.received, tenant.companies[1].email);
    const text = decodeQuotedPrintable(received.raw);
    expect(text).toContain(`We received your service request ${row.number}`);
    expect(text).toContain(`/service-requests/${row.id}`);
    expect(text).toContain('Fire alarm panel beeps all night.');

    // The owner also gets notices of the requests other tests submitted, so wait for this one.
    const owner = `owner@${tenant.slug}.example`;
    const noticesOf = () =>
      mail.received.filter((message) => message.to.includes(owner) && decodeQuotedPrintable(message.raw).includes(`submitted service request ${row.number}`));
    for (let attempt = 0; attempt < 200 && noticesOf().length === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const notices = noticesOf();
    expect(notices).toHaveLength(1);
    expect(decodeQuotedPrintable(notices[0].raw)).toContain(`/service-requests/${row.id}`);
  });

  it('treats a resubmit after Back as the same request', async () => {
    const first = await filledForm(customer, { description: 'Fire door on level 2 does not latch.' });
    const created = await postRequestForm(customer, first);
    expect(created.status).toBe(303);

    // Back brings the form again with a fresh submission key and the typed values.
    const again = await filledForm(customer, { description: 'Fire door on level 2 does not latch.' });
    expect(keyOf(again)).not.toBe(keyOf(first));
    const resubmitted = await postRequestForm(customer, again);

    expect(resubmitted.headers.location).toBe(`/service-requests/${requestIdFrom(created.headers.location)}?submitted=duplicate`);
    expect(await requestsWithKey(keyOf(again))).toHaveLength(0);
  });

  it('replaces a malformed submission key', async () => {
    const fields = await filledForm(customer, { submission_key: 'not-a-key' });
    const response = await postRequestForm(customer, fields);
    const body = response.body.toString('utf8');

    expect(response.status).toBe(400);
    expect(body).toContain('This form has expired. Reload the page and submit it again.');
    expect(formKeysFrom(body).submissionKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a submit without the CSRF token', async () => {
    const fields = (await filledForm(customer, { description: 'Forged from another site.' })).filter(([name]) => name !== '_csrf');
    const response = await postRequestForm(customer, fields);

    expect(response.status).toBe(403);
    expect(await requestsWithKey(keyOf(fields))).toHaveLength(0);
  });

  it('limits requests per user and hour', async () => {
    const limited = await signIn(`colleague-2@${tenant.slug}.example`);
    // Loaded before the limit is reached, as in a second browser tab.
    const fields = await filledForm(limited, { description: 'One request too many.' });
    for (let index = 0; index < RATE_LIMIT; index += 1) {
      const allowed = await filledForm(limited, { description: `Request number ${index + 1} this hour.` });
      expect((await postRequestForm(limited, allowed)).status).toBe(303);
    }

    // The form itself says so before anything is typed.
    const form = await limited.get('/service-requests/new');
    expect(form.status).toBe(429);
    expect(form.body).toContain(`You have submitted ${RATE_LIMIT} service requests within the last hour`);
    expect(form.body).not.toContain('name="description"');

    const response = await postRequestForm(limited, fields);

    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(response.body.toString('utf8')).toContain(`You have submitted ${RATE_LIMIT} service requests within the last hour`);
    expect(await requestsWithKey(keyOf(fields))).toHaveLength(0);
  });

  it('numbers requests without gaps per tenant', async () => {
    const numbers = await admin.query<{ number: string }>(
      `SELECT number FROM service_requests WHERE tenant_id = $1 AND submission_key IS NOT NULL ORDER BY number`,
      [tenant.tenantId],
    );
    const expected = numbers.rows.map((_, index) => `SR-${String(index + 1).padStart(6, '0')}`);
    expect(numbers.rows.length).toBeGreaterThan(3);
    expect(numbers.rows.map((row) => row.number)).toEqual(expected);
  });
});
