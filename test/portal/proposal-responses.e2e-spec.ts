import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { startMailWorker, MailWorker } from '../support/mail-worker';
import { HttpResponse, PortalClient, startPortal } from '../support/portal-harness';
import { decodeQuotedPrintable } from '../support/smtp-sink';

const run = promisify(execFile);

/** GETs a path with the client's cookies and returns the body as bytes. */
function getBytes(client: PortalClient, path: string): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { host: client.host, cookie: client.cookieHeader() };
    const req = httpRequest({ host: '127.0.0.1', port: client.port, path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function fieldOf(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`page has no ${name} field`);
  return match[1];
}

describe('proposal accept and decline', () => {
  let portal: NestExpressApplication;
  let port: number;
  let mail: MailWorker;
  let admin: Pool;
  let tenant: TestTenant;
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'proposal-answers-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'answers');
    await admin.query(
      `INSERT INTO staff_users (tenant_id, email, name, role, status) VALUES ($1, $2, 'Admin', 'admin', 'active'),
         ($1, $3, 'Member', 'member', 'active')`,
      [tenant.tenantId, `admin@${tenant.slug}.example`, `member@${tenant.slug}.example`],
    );
    ({ app: portal, port } = await startPortal());
    mail = await startMailWorker();
  }, 60_000);

  afterAll(async () => {
    await mail?.stop();
    await portal?.close();
    await admin.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  async function signedIn(company = 0): Promise<PortalClient> {
    const client = new PortalClient(port, `${tenant.slug}.localhost`);
    expect((await client.login(tenant.companies[company].email, TEST_PASSWORD)).status).toBe(303);
    return client;
  }

  /** Creates an open proposal of the company, priced 75.00 plus 10% tax, with one required and one optional line. */
  async function openProposal(company = 0, shared = true): Promise<string> {
    const key = tenant.companies[company].key;
    const source = await admin.query<{ id: string }>(
      'SELECT id FROM proposals WHERE tenant_id = $1 AND external_id = $2',
      [tenant.tenantId, `${key}-pr-s`],
    );
    const copy = await admin.query<{ id: string }>(
      `INSERT INTO proposals (tenant_id, company_id, number, title, issued_on, valid_until, currency,
         subtotal_minor, tax_minor, total_minor, shared_at)
       SELECT tenant_id, company_id, 'Q-' || substr(md5(random()::text), 1, 8), title, issued_on, valid_until, currency,
         7500, 750, 8250, ${shared ? 'now()' : 'NULL'}
       FROM proposals WHERE id = $1 RETURNING id`,
      [source.rows[0].id],
    );
    const id = copy.rows[0].id;
    await admin.query(
      `INSERT INTO proposal_lines (tenant_id, company_id, proposal_id, position, description, quantity, unit_price_minor, amount_minor, is_optional)
       SELECT tenant_id, company_id, $2, position, description, quantity, unit_price_minor, amount_minor, is_optional
       FROM proposal_lines WHERE proposal_id = $1`,
      [source.rows[0].id, id],
    );
    return id;
  }

  async function stored(id: string) {
    const result = await admin.query('SELECT * FROM proposals WHERE id = $1', [id]);
    return result.rows[0];
  }

  async function lineOf(id: string, optional: boolean): Promise<string> {
    const result = await admin.query<{ id: string }>('SELECT id FROM proposal_lines WHERE proposal_id = $1 AND is_optional = $2', [id, optional]);
    return result.rows[0].id;
  }

  /** Loads the proposal page and returns a submitter for its accept or decline form. */
  async function formOf(client: PortalClient, id: string) {
    const page = await client.get(`/proposals/${id}`);
    expect(page.status).toBe(200);
    const hidden = { _csrf: fieldOf(page.body, '_csrf'), fingerprint: fieldOf(page.body, 'fingerprint') };
    return {
      page,
      accept: (form: Record<string, string> | URLSearchParams) => postForm(client, `/proposals/${id}/accept`, hidden, form),
      decline: (form: Record<string, string>) => postForm(client, `/proposals/${id}/decline`, hidden, form),
    };
  }

  function postForm(
    client: PortalClient,
    path: string,
    hidden: Record<string, string>,
    form: Record<string, string> | URLSearchParams,
  ): Promise<HttpResponse> {
    return client.request(path, { form: { ...hidden, ...Object.fromEntries(new URLSearchParams(form)) } });
  }

  const signature = { signerName: 'Pat Signer', confirm: 'yes' };

  it('open proposal shows the answer forms', async () => {
    const id = await openProposal();
    const { page } = await formOf(await signedIn(), id);
    expect(page.body).toContain(`action="/proposals/${id}/accept"`);
    expect(page.body).toContain(`action="/proposals/${id}/decline"`);
    expect(page.body).toContain(`name="optionalLines" value="${await lineOf(id, true)}"`);
    expect(page.body).toMatch(/name="fingerprint" value="[0-9a-f]{64}"/);
  });

  it('accepting with chosen optional lines records the answer', async () => {
    const id = await openProposal();
    const client = await signedIn();
    const form = await formOf(client, id);
    const optional = await lineOf(id, true);
    const response = await form.accept({ ...signature, optionalLines: optional });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/proposals/${id}?done=accepted`);

    const row = await stored(id);
    expect(row.status).toBe('accepted');
    expect(row.response_name).toBe('Pat Signer');
    expect(row.accepted_line_ids).toEqual([optional]);
    // 7,500 + 2,500 chosen; tax 750 + 250 at the proposal's 10% ratio.
    expect(row.accepted_total_minor).toBe('11000');
    expect(row.response_hash).toBe(fieldOf(form.page.body, 'fingerprint'));
    expect(row.response_ip).toBe('127.0.0.1');
    expect(row.responded_by_user_id).not.toBeNull();

    const after = await client.get(response.headers.location as string);
    expect(after.body).toContain('You accepted proposal');
    expect(after.body).toContain('Accepted total');
    expect(after.body).toContain('<span class="badge badge--accepted">Chosen</span>');
    expect(after.body).not.toContain(`action="/proposals/${id}/accept"`);
  });

  it('staff owners and admins get an email', async () => {
    const id = await openProposal();
    const form = await formOf(await signedIn(), id);
    expect((await form.decline({ reason: 'Budget moved to next year' })).status).toBe(303);
    const number = (await stored(id)).number as string;
    // A decline records the signed-in user's name, since the form asks for none.
    expect((await stored(id)).response_name).toBe(`User ${tenant.companies[0].key}`);

    const deadline = Date.now() + 15_000;
    const mine = () => mail.received.filter((message) => message.raw.includes(`Proposal ${number}`));
    while (mine().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const recipients = mine().flatMap((message) => message.to).sort();
    expect(recipients).toEqual([`admin@${tenant.slug}.example`, `owner@${tenant.slug}.example`]);
    const text = decodeQuotedPrintable(mine()[0].raw);
    expect(text).toContain('declined');
    expect(text).toContain('Budget moved to next year');
    expect(text).toContain(`/records/proposals/${id}`);
  });

  it('a second submit changes nothing and says so', async () => {
    const id = await openProposal();
    const form = await formOf(await signedIn(), id);
    expect((await form.accept(signature)).status).toBe(303);
    const first = await stored(id);

    const again = await form.decline({ reason: 'Changed my mind' });
    expect(again.status).toBe(409);
    expect(again.body).toContain('was already accepted');
    const second = await stored(id);
    expect(second.status).toBe('accepted');
    expect(second.responded_at).toEqual(first.responded_at);
    expect(second.response_reason).toBeNull();
    const events = await admin.query("SELECT count(*)::int AS count FROM activity_events WHERE subject_id = $1 AND action LIKE 'proposal.%'", [id]);
    expect(events.rows[0].count).toBe(1);
  });

  it('racing accept and decline from two sessions: one wins', async () => {
    const id = await openProposal();
    const [first, second] = await Promise.all([signedIn(), signedIn()]);
    const [acceptForm, declineForm] = await Promise.all([formOf(first, id), formOf(second, id)]);
    const [accepted, declined] = await Promise.all([acceptForm.accept(signature), declineForm.decline({})]);

    const statuses = [accepted.status, declined.status].sort();
    expect(statuses).toEqual([303, 409]);
    const loser = accepted.status === 409 ? accepted : declined;
    expect(loser.body).toMatch(/was already (accepted|declined)/);
    const row = await stored(id);
    expect(row.status).toBe(accepted.status === 303 ? 'accepted' : 'declined');
  });

  it('an expired proposal cannot be accepted', async () => {
    const id = await openProposal();
    const form = await formOf(await signedIn(), id);
    await admin.query('UPDATE proposals SET issued_on = current_date - 30, valid_until = current_date - 2 WHERE id = $1', [id]);
    const response = await form.accept(signature);
    expect(response.status).toBe(410);
    expect(response.body).toContain('is no longer open');
    expect((await stored(id)).status).toBe('sent');
  });

  it('a proposal changed after it was shown is not accepted', async () => {
    const id = await openProposal();
    const form = await formOf(await signedIn(), id);
    await admin.query('UPDATE proposal_lines SET unit_price_minor = 9900, amount_minor = 29700 WHERE proposal_id = $1 AND NOT is_optional', [id]);
    const response = await form.accept(signature);
    expect(response.status).toBe(409);
    expect(response.body).toContain('changed after you opened it');
    expect((await stored(id)).status).toBe('sent');
  });

  it.each([
    ['the proposal', "UPDATE proposals SET terms = 'Changed while the customer signs' WHERE id = $1"],
    ['a line', 'UPDATE proposal_lines SET amount_minor = amount_minor + 100 WHERE proposal_id = $1 AND NOT is_optional'],
  ])('an edit of %s racing the signature is not signed', async (_case, sql) => {
    const id = await openProposal();
    const form = await formOf(await signedIn(), id);
    const editor = await admin.connect();
    try {
      await editor.query('BEGIN');
      await editor.query(sql, [id]);
      // The signature waits for the edit's row lock, then sees the edited terms.
      const signing = form.accept(signature);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await editor.query('COMMIT');
      const response = await signing;
      expect(response.status).toBe(409);
      expect(response.body).toContain('changed after you opened it');
      expect((await stored(id)).status).toBe('sent');
    } finally {
      await editor.query('ROLLBACK').catch(() => undefined);
      editor.release();
    }
  });

  it.each([
    ['another company', async () => openProposal(1)],
    ['an unshared proposal', async () => openProposal(0, false)],
  ])('%s gives 404', async (_case, target) => {
    const client = await signedIn();
    const own = await formOf(client, await openProposal());
    const id = await target();
    const response = await postForm(client, `/proposals/${id}/accept`, { _csrf: fieldOf(own.page.body, '_csrf'), fingerprint: 'a'.repeat(64) }, signature);
    expect(response.status).toBe(404);
    expect((await stored(id)).status).toBe('sent');
  });

  it('missing signature fields are named', async () => {
    const id = await openProposal();
    const form = await formOf(await signedIn(), id);
    const response = await form.accept({ signerName: '  ' });
    expect(response.status).toBe(400);
    expect(response.body).toContain('id="signerName-problem">Your full name is required');
    expect(response.body).toContain('id="confirm-problem">The confirmation must be ticked');
    expect((await stored(id)).status).toBe('sent');
  });

  it('a required line cannot be chosen as optional', async () => {
    const id = await openProposal();
    const form = await formOf(await signedIn(), id);
    const response = await form.accept({ ...signature, optionalLines: await lineOf(id, false) });
    expect(response.status).toBe(400);
    expect(response.body).toContain('id="optionalLines-problem"');
    expect((await stored(id)).status).toBe('sent');
  });

  it('an answer without the CSRF token is refused', async () => {
    const id = await openProposal();
    const client = await signedIn();
    const page = await client.get(`/proposals/${id}`);
    const response = await postForm(client, `/proposals/${id}/accept`, { fingerprint: fieldOf(page.body, 'fingerprint') }, signature);
    expect(response.status).toBe(403);
    expect((await stored(id)).status).toBe('sent');
  });

  it('the PDF of an accepted proposal carries the acceptance', async () => {
    const id = await openProposal();
    const client = await signedIn();
    const form = await formOf(client, id);
    expect((await form.accept({ ...signature, optionalLines: await lineOf(id, true) })).status).toBe(303);

    let pdf = await getBytes(client, `/proposals/${id}/pdf`);
    const deadline = Date.now() + 30_000;
    while (pdf.status === 202 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      pdf = await getBytes(client, `/proposals/${id}/pdf`);
    }
    expect(pdf.status).toBe(200);
    const file = join(folder, `${id}.pdf`);
    await writeFile(file, pdf.bytes);
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    expect(stdout).toContain('Acceptance');
    expect(stdout).toContain('Pat Signer');
    expect(stdout).toContain('$110.00');
    expect(stdout).toContain((await stored(id)).response_hash);
  }, 60_000);
});
