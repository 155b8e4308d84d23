import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Job, Queue } from 'bullmq';
import { Pool } from 'pg';

import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../apps/console/src/users/import-file';
import { UserImportRunner } from '../../apps/worker/src/user-import/user-import-runner.service';
import { UserImportProcessor } from '../../apps/worker/src/user-import/user-import.processor';
import { hashPassword } from '../../libs/auth/src/passwords';
import { EMAIL_QUEUE } from '../../libs/queue/src/queues';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, HttpResponse, PortalClient, startConsole } from '../support/portal-harness';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { ReceivedMail, waitForMail } from '../support/smtp-sink';

const CONSOLE_HOST = 'console.localhost';
const IMPORT_PAGE = '/settings/users/import';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Upload {
  csrf?: string;
  fileName?: string;
  content: Buffer | string;
}

/** Builds a multipart body the way a browser sends the import form: the CSRF field first, then the file. */
function multipartBody(upload: Upload): { body: Buffer; contentType: string } {
  const boundary = `----import${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  if (upload.csrf !== undefined) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${upload.csrf}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${upload.fileName ?? 'users.csv'}"\r\n` +
        'Content-Type: text/csv\r\n\r\n',
    ),
    Buffer.isBuffer(upload.content) ? upload.content : Buffer.from(upload.content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function postUpload(browser: PortalClient, upload: Upload): Promise<HttpResponse> {
  const { body, contentType } = multipartBody(upload);
  const headers = { host: browser.host, cookie: browser.cookieHeader(), 'content-type': contentType, 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: browser.port, path: IMPORT_PAGE, method: 'POST', headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('console user import', () => {
  let mail: MailWorker;
  let received: ReceivedMail[];
  let worker: INestApplication;
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let other: TestTenant;
  let ownerId: string;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'import');
    other = await provisionTestTenant(admin, 'import-b');
    await admin.query(
      `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'Pat Member', 'member', 'active', $3)`,
      [tenant.tenantId, `member@${tenant.slug}.example`, await hashPassword(TEST_PASSWORD)],
    );
    ownerId = (await admin.query<{ id: string }>(`SELECT id FROM staff_users WHERE tenant_id = $1 AND role = 'owner'`, [tenant.tenantId])).rows[0].id;
    mail = await startMailWorker();
    ({ received, worker } = mail);
    ({ app, port } = await startConsole());
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await mail.stop();
    await admin.end();
  });

  async function signedIn(email = `owner@${tenant.slug}.example`): Promise<PortalClient> {
    const browser = new PortalClient(port, CONSOLE_HOST);
    const login = await browser.submit('/login', '/login', { workspace: tenant.slug, email, password: TEST_PASSWORD, next: '/' });
    expect(login.status).toBe(303);
    return browser;
  }

  async function upload(browser: PortalClient, content: Buffer | string, fileName?: string): Promise<HttpResponse> {
    const page = await browser.get(IMPORT_PAGE);
    return postUpload(browser, { csrf: csrfFrom(page.body), content, fileName });
  }

  function importIdOf(response: HttpResponse): string {
    expect(response.status).toBe(303);
    const match = /^\/settings\/users\/import\/(.+)$/.exec(String(response.headers.location));
    expect(match?.[1]).toMatch(UUID);
    return match![1];
  }

  async function waitForImport(importId: string, timeoutMs = 60_000): Promise<{ status: string; total_rows: number; processed_rows: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await admin.query('SELECT status, total_rows, processed_rows, finished_at FROM user_imports WHERE id = $1', [importId]);
      if (rows[0].status === 'done' || rows[0].status === 'failed') return rows[0];
      if (Date.now() > deadline) throw new Error(`import ${importId} is still ${rows[0].status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Waits until the worker's email queue is empty, so no job outlives the
   * suite. Deliveries to recipients matching `cancelPattern` are cancelled
   * first, because the worker sends one message at a time and hundreds take
   * minutes, while a cancelled delivery's job ends without sending.
   */
  async function drainEmailQueue(cancelPattern?: string, timeoutMs = 60_000): Promise<void> {
    if (cancelPattern) {
      await admin.query(`UPDATE email_deliveries SET status = 'cancelled' WHERE tenant_id = $1 AND status = 'queued' AND recipient LIKE $2`, [
        tenant.tenantId,
        cancelPattern,
      ]);
    }
    const queue = worker.get<Queue>(getQueueToken(EMAIL_QUEUE));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const open = Object.values(counts).reduce((sum, count) => sum + count, 0);
      if (open === 0) return;
      if (Date.now() > deadline) throw new Error(`${open} email jobs still open after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function outcomes(importId: string) {
    const { rows } = await admin.query<{ line_number: number; outcome: string; message: string | null; portal_user_id: string | null }>(
      'SELECT line_number, outcome, message, portal_user_id FROM user_import_rows WHERE import_id = $1 ORDER BY line_number',
      [importId],
    );
    return rows;
  }

  async function importCounts(): Promise<{ imports: number; rows: number }> {
    const { rows } = await admin.query(
      `SELECT (SELECT count(*)::int FROM user_imports WHERE tenant_id = $1) AS imports,
              (SELECT count(*)::int FROM user_import_rows WHERE tenant_id = $1) AS rows`,
      [tenant.tenantId],
    );
    return rows[0];
  }

  /** Inserts an import with pending rows directly, with no job, as a worker would find it after a crash. */
  async function insertImport(tenantId: string, createdBy: string | null, emails: string[], company: string): Promise<string> {
    const { rows } = await admin.query<{ id: string }>(
      `INSERT INTO user_imports (tenant_id, file_name, total_rows, created_by) VALUES ($1, 'direct.csv', $2, $3) RETURNING id`,
      [tenantId, emails.length, createdBy],
    );
    await admin.query(
      `INSERT INTO user_import_rows (tenant_id, import_id, line_number, email, company_ref)
       SELECT $1, $2, n + 1, email, $4 FROM unnest($3::text[]) WITH ORDINALITY AS e(email, n)`,
      [tenantId, rows[0].id, emails, company],
    );
    return rows[0].id;
  }

  it('invites good rows once each and reports every other row', async () => {
    const owner = await signedIn();
    const [first, second] = tenant.companies;
    const existing = first.email;
    const csv = [
      'email,company,name',
      `good.one@import.example,${first.key},Good One`,
      `not-an-email,${first.key},Bad Email`,
      'nobody@import.example,NO-SUCH-COMPANY,',
      `GOOD.ONE@import.example,${second.key},Again`,
      `${existing},${first.key},Existing`,
      `good.two@import.example,Company ${second.key},Good Two`,
    ].join('\r\n');
    const importId = importIdOf(await upload(owner, `\uFEFF${csv}\r\n`, 'customers.csv'));

    const finished = await waitForImport(importId);
    expect(finished).toMatchObject({ status: 'done', total_rows: 6, processed_rows: 6 });
    const rows = await outcomes(importId);
    expect(rows.map(({ line_number, outcome }) => [line_number, outcome])).toEqual([
      [2, 'invited'],
      [3, 'failed'],
      [4, 'failed'],
      [5, 'skipped'],
      [6, 'skipped'],
      [7, 'invited'],
    ]);
    expect(rows[1].message).toContain('must be an email address');
    expect(rows[2].message).toContain('No customer company has the external id or exact name "NO-SUCH-COMPANY"');
    expect(rows[3].message).toBe('The email appears earlier in the file, on line 2.');
    expect(rows[4].message).toContain('already has access');

    const users = await admin.query(
      `SELECT u.email, u.name, u.status, c.external_id FROM portal_users u
       JOIN customer_companies c ON c.tenant_id = u.tenant_id AND c.id = u.company_id
       WHERE u.tenant_id = $1 AND u.email LIKE 'good.%' ORDER BY u.email`,
      [tenant.tenantId],
    );
    expect(users.rows).toEqual([
      { email: 'good.one@import.example', name: 'Good One', status: 'invited', external_id: first.key },
      { email: 'good.two@import.example', name: 'Good Two', status: 'invited', external_id: second.key },
    ]);
    expect(rows[0].portal_user_id).not.toBeNull();

    await waitForMail(received, 'good.one@import.example');
    await waitForMail(received, 'good.two@import.example');
    await drainEmailQueue();
    for (const email of ['good.one@import.example', 'good.two@import.example']) {
      expect({ email, mails: received.filter((mail) => mail.to.includes(email)).length }).toEqual({ email, mails: 1 });
    }
    for (const email of ['not-an-email', 'nobody@import.example', existing]) {
      expect({ email, mails: received.filter((mail) => mail.to.includes(email)).length }).toEqual({ email, mails: 0 });
    }

    const page = await owner.get(`${IMPORT_PAGE}/${importId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Import of customers.csv');
    expect(page.body).toContain('<progress id="import-progress" max="6" value="6">');
    expect(page.body).not.toContain('http-equiv="refresh"');
    expect(page.body).toContain('<dt>Invited</dt><dd>2</dd>');
    expect(page.body).toContain('<dt>Skipped</dt><dd>2</dd>');
    expect(page.body).toContain('<dt>Failed</dt><dd>2</dd>');
    expect(page.body).toContain('The email appears earlier in the file, on line 2.');
    expect(page.body).toContain('<td>4</td><th scope="row">nobody@import.example</th>');
    expect(page.body).not.toContain('good.two@import.example');

    const results = await owner.get(`${IMPORT_PAGE}/${importId}/results.csv`);
    expect(results.status).toBe(200);
    expect(results.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(results.headers['content-disposition']).toBe(`attachment; filename="user-import-${importId}-results.csv"`);
    const lines = results.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('"line","email","company","name","outcome","message"');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toBe(`"2","good.one@import.example","${first.key}","Good One","invited",""`);

    const activity = await admin.query(`SELECT actor_id, details FROM activity_events WHERE tenant_id = $1 AND action = 'user.import_started'`, [
      tenant.tenantId,
    ]);
    expect(activity.rows).toEqual([{ actor_id: ownerId, details: { fileName: 'customers.csv', rows: 6 } }]);

    // The same job again, after it finished, finds nothing pending and invites nobody.
    const deliveriesBefore = await admin.query('SELECT count(*)::int AS n FROM email_deliveries WHERE tenant_id = $1', [tenant.tenantId]);
    expect(await worker.get(UserImportRunner).run({ tenantId: tenant.tenantId, importId })).toBe('done');
    const deliveriesAfter = await admin.query('SELECT count(*)::int AS n FROM email_deliveries WHERE tenant_id = $1', [tenant.tenantId]);
    expect(deliveriesAfter.rows[0].n).toBe(deliveriesBefore.rows[0].n);
  });

  it('reads a semicolon-separated file with quoted values', async () => {
    const owner = await signedIn();
    const csv = `Email;Company;Name\nsemi.colon@import.example;${tenant.companies[0].key};"Lee; Dana"\n;;\n`;
    const importId = importIdOf(await upload(owner, csv));
    expect(await waitForImport(importId)).toMatchObject({ status: 'done', total_rows: 1, processed_rows: 1 });
    const user = await admin.query('SELECT name FROM portal_users WHERE tenant_id = $1 AND email = $2', [tenant.tenantId, 'semi.colon@import.example']);
    expect(user.rows).toEqual([{ name: 'Lee; Dana' }]);
    await drainEmailQueue();
  });

  it('works through a large file until progress reaches the total', async () => {
    const owner = await signedIn();
    const total = 1_500;
    const lines = Array.from({ length: total }, (_, index) => `bulk.${index}@import.example,${tenant.companies[1].key},Bulk ${index}`);
    const importId = importIdOf(await upload(owner, ['email,company,name', ...lines].join('\n'), 'bulk.csv'));

    const finished = await waitForImport(importId, 120_000);
    expect(finished).toMatchObject({ status: 'done', total_rows: total, processed_rows: total });
    const counts = await admin.query(`SELECT outcome, count(*)::int AS n FROM user_import_rows WHERE import_id = $1 GROUP BY outcome`, [importId]);
    expect(counts.rows).toEqual([{ outcome: 'invited', n: total }]);
    const deliveries = await admin.query(
      `SELECT count(*)::int AS n, count(DISTINCT recipient)::int AS recipients FROM email_deliveries WHERE tenant_id = $1 AND recipient LIKE 'bulk.%'`,
      [tenant.tenantId],
    );
    expect(deliveries.rows[0]).toEqual({ n: total, recipients: total });

    const page = await owner.get(`${IMPORT_PAGE}/${importId}`);
    expect(page.body).toContain(`<progress id="import-progress" max="${total}" value="${total}">`);
    expect(page.body).toContain('1,500 of 1,500 rows processed');
    expect(page.body).toContain('No row was skipped and none failed.');
    await drainEmailQueue('bulk.%');
  }, 120_000);

  it('resumes after a crash and invites nobody twice when two runs overlap', async () => {
    const emails = Array.from({ length: 250 }, (_, index) => `resume.${index}@import.example`);
    const importId = await insertImport(tenant.tenantId, ownerId, emails, tenant.companies[0].key);
    const runner = worker.get(UserImportRunner);
    const job = { tenantId: tenant.tenantId, importId };

    // One committed batch, then the worker "dies": the rest stays pending.
    const firstBatch = await runner.runBatch(job);
    expect(firstBatch).toMatchObject({ finished: false, handled: 100 });
    const midway = await admin.query('SELECT status, processed_rows FROM user_imports WHERE id = $1', [importId]);
    expect(midway.rows[0]).toEqual({ status: 'running', processed_rows: 100 });

    // A retried job and a stalled one resume together.
    expect(await Promise.all([runner.run(job), runner.run(job)])).toEqual(['done', 'done']);
    const rows = await outcomes(importId);
    expect(rows.filter((row) => row.outcome === 'invited')).toHaveLength(250);
    const deliveries = await admin.query(
      `SELECT recipient, count(*)::int AS n FROM email_deliveries WHERE tenant_id = $1 AND recipient LIKE 'resume.%' GROUP BY recipient HAVING count(*) > 1`,
      [tenant.tenantId],
    );
    expect(deliveries.rows).toEqual([]);
    const invited = await admin.query(`SELECT count(*)::int AS n FROM email_deliveries WHERE tenant_id = $1 AND recipient LIKE 'resume.%'`, [
      tenant.tenantId,
    ]);
    expect(invited.rows[0].n).toBe(250);
    const final = await admin.query('SELECT status, processed_rows, finished_at IS NOT NULL AS finished FROM user_imports WHERE id = $1', [importId]);
    expect(final.rows[0]).toEqual({ status: 'done', processed_rows: 250, finished: true });
    await drainEmailQueue('resume.%');
  }, 60_000);

  it('fails the rest of an import whose creator was disabled', async () => {
    const hash = await hashPassword(TEST_PASSWORD);
    const creator = await admin.query<{ id: string }>(
      `INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'Gone', 'admin', 'disabled', $3) RETURNING id`,
      [tenant.tenantId, `gone@${tenant.slug}.example`, hash],
    );
    const importId = await insertImport(tenant.tenantId, creator.rows[0].id, ['never.sent@import.example'], tenant.companies[0].key);
    expect(await worker.get(UserImportRunner).run({ tenantId: tenant.tenantId, importId })).toBe('failed');
    const rows = await outcomes(importId);
    expect(rows).toEqual([expect.objectContaining({ outcome: 'failed', portal_user_id: null })]);
    const user = await admin.query('SELECT 1 FROM portal_users WHERE tenant_id = $1 AND email = $2', [tenant.tenantId, 'never.sent@import.example']);
    expect(user.rows).toHaveLength(0);
  });

  it('marks an import failed only after the last attempt', async () => {
    const owner = await signedIn();
    const importId = await insertImport(tenant.tenantId, ownerId, ['after.crash@import.example'], tenant.companies[0].key);
    const runner = worker.get(UserImportRunner);
    const processor = worker.get(UserImportProcessor);
    const jobFor = (attemptsMade: number) =>
      ({ data: { tenantId: tenant.tenantId, importId }, attemptsMade, opts: { attempts: 5 } }) as unknown as Job<{ tenantId: string; importId: string }>;
    // Redis going away after a commit is the realistic cause, which the spy simulates.
    const outage = jest.spyOn(runner, 'runBatch').mockRejectedValue(new Error('Connection is closed.'));
    try {
      await expect(processor.process(jobFor(0))).rejects.toThrow('Connection is closed.');
      expect((await admin.query('SELECT status FROM user_imports WHERE id = $1', [importId])).rows[0].status).toBe('queued');
      await expect(processor.process(jobFor(4))).rejects.toThrow('Connection is closed.');
    } finally {
      outage.mockRestore();
    }

    const failed = await admin.query('SELECT status, finished_at IS NOT NULL AS finished FROM user_imports WHERE id = $1', [importId]);
    expect(failed.rows[0]).toEqual({ status: 'failed', finished: true });
    expect((await outcomes(importId)).map((row) => row.outcome)).toEqual(['pending']);
    // A failed import is final: running it again invites nobody.
    expect(await runner.run({ tenantId: tenant.tenantId, importId })).toBe('failed');
    const user = await admin.query('SELECT 1 FROM portal_users WHERE tenant_id = $1 AND email = $2', [tenant.tenantId, 'after.crash@import.example']);
    expect(user.rows).toHaveLength(0);

    const page = await owner.get(`${IMPORT_PAGE}/${importId}`);
    expect(page.body).toContain('The import stopped after an error. Rows left unprocessed: 1.');
    expect(page.body).not.toContain('http-equiv="refresh"');
  });

  it('rejects a bad file with the reason and writes nothing', async () => {
    const owner = await signedIn();
    const before = await importCounts();
    const rowLine = `row@import.example,${tenant.companies[0].key},Row`;
    const cases: Array<{ label: string; content: Buffer | string; status: number; message: string }> = [
      {
        label: 'over the size limit',
        content: `email,company,name\n${'x'.repeat(MAX_IMPORT_BYTES)}\n`,
        status: 413,
        message: 'The file is larger than 2 MB.',
      },
      {
        label: 'over the row limit',
        content: ['email,company,name', ...Array.from({ length: MAX_IMPORT_ROWS + 1 }, () => rowLine)].join('\n'),
        status: 413,
        message: 'The file has more than 10,000 user rows.',
      },
      {
        label: 'binary',
        content: Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(256)]),
        status: 400,
        message: 'The file is not UTF-8 text, or it is not a text file at all.',
      },
      {
        label: 'workbook',
        content: Buffer.concat([Buffer.from('504b030414000600', 'hex'), randomBytes(64)]),
        status: 400,
        message: 'The file is a spreadsheet workbook, not a CSV file.',
      },
      {
        label: 'no company column',
        content: 'email,name\nrow@import.example,Row\n',
        status: 400,
        message: 'The header row is missing the column &quot;company&quot;.',
      },
      { label: 'header only', content: 'email,company\n', status: 400, message: 'The file has a header row but no user rows.' },
    ];
    for (const { label, content, status, message } of cases) {
      const response = await upload(owner, content);
      expect({ label, status: response.status }).toEqual({ label, status });
      expect({ label, shown: response.body.includes(message) }).toEqual({ label, shown: true });
      expect({ label, form: response.body.includes('name="file"') }).toEqual({ label, form: true });
      expect({ label, stack: /\bat .+\.(ts|js):\d+/.test(response.body) }).toEqual({ label, stack: false });
    }
    const missingFile = await owner.submit(IMPORT_PAGE, IMPORT_PAGE, {});
    expect(missingFile.status).toBe(400);
    expect(missingFile.body).toContain('Choose a CSV file to upload.');
    expect(await importCounts()).toEqual(before);
  }, 60_000);

  it('requires the CSRF token', async () => {
    const owner = await signedIn();
    const before = await importCounts();
    const csv = `email,company\ncsrf@import.example,${tenant.companies[0].key}\n`;
    const missing = await postUpload(owner, { content: csv });
    expect(missing.status).toBe(403);
    const wrong = await postUpload(owner, { csrf: randomBytes(32).toString('base64url'), content: csv });
    expect(wrong.status).toBe(403);
    expect(await importCounts()).toEqual(before);
  });

  it('keeps members out', async () => {
    const member = await signedIn(`member@${tenant.slug}.example`);
    const before = await importCounts();
    expect((await member.get(IMPORT_PAGE)).status).toBe(403);
    const home = await member.get('/');
    const csv = `email,company\nmember.try@import.example,${tenant.companies[0].key}\n`;
    expect((await postUpload(member, { csrf: csrfFrom(home.body), content: csv })).status).toBe(403);
    expect(await importCounts()).toEqual(before);

    const importId = await insertImport(tenant.tenantId, ownerId, ['waiting.member@import.example'], tenant.companies[0].key);
    expect((await member.get(`${IMPORT_PAGE}/${importId}`)).status).toBe(403);
    expect((await member.get(`${IMPORT_PAGE}/${importId}/results.csv`)).status).toBe(403);
  });

  it("gives 404 for another tenant's import and for unknown ids", async () => {
    const owner = await signedIn();
    const foreign = await insertImport(other.tenantId, null, ['foreign@import.example'], other.companies[0].key);
    for (const path of [
      `${IMPORT_PAGE}/${foreign}`,
      `${IMPORT_PAGE}/${foreign}/results.csv`,
      `${IMPORT_PAGE}/00000000-0000-4000-8000-000000000000`,
      `${IMPORT_PAGE}/not-a-uuid`,
    ]) {
      const response = await owner.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.body).not.toContain('foreign@import.example');
    }
  });

  it('reloads the progress page while an import waits, unless told not to', async () => {
    const owner = await signedIn();
    const importId = await insertImport(tenant.tenantId, ownerId, ['waiting@import.example'], tenant.companies[0].key);
    const page = await owner.get(`${IMPORT_PAGE}/${importId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<meta http-equiv="refresh" content="2">');
    expect(page.body).toContain('<progress id="import-progress" max="1" value="0">');
    expect(page.body).toContain('<dt>Waiting</dt><dd>1</dd>');
    const quiet = await owner.get(`${IMPORT_PAGE}/${importId}?refresh=off`);
    expect(quiet.body).not.toContain('http-equiv="refresh"');
    expect((await owner.get(`${IMPORT_PAGE}/${importId}?refresh=sometimes`)).status).toBe(400);
  });

  it('links the import page from Settings → Users and lists recent imports', async () => {
    const owner = await signedIn();
    const users = await owner.get('/settings/users');
    expect(users.body).toContain(`href="${IMPORT_PAGE}"`);
    const page = await owner.get(IMPORT_PAGE);
    expect(page.status).toBe(200);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain("<code>company</code> is the customer company's external id, or its exact name.");
    expect(page.body).toContain('customers.csv');
  });
});
