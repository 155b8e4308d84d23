import type { ChildProcess } from 'node:child_process';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Queue } from 'bullmq';
import { Pool } from 'pg';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { hashPassword } from '../../libs/auth/src/passwords';
import { DOMAIN_VERIFICATION_QUEUE, DomainVerificationJob } from '../../libs/queue/src/queues';
import { startAppProcess, stopAppProcess } from '../support/app-process';
import { startDnsServer, TestDnsServer } from '../support/dns-server';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, rawRequest, startConsole } from '../support/portal-harness';
import { waitFor } from '../support/webhook-receiver';

const CONSOLE_HOST = 'console.localhost';

/** Escapes text as Handlebars does, to find it in a rendered page. */
function html(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
  return text.replace(/[&<>"'`=]/g, (character) => entities[character]);
}

interface DomainState {
  id: string;
  verification_token: string;
  verified_at: Date | null;
  is_primary: boolean;
  last_checked_at: Date | null;
  last_check_error: string | null;
}

describe('settings → domains', () => {
  let app: NestExpressApplication;
  let worker: INestApplication;
  let portal: ChildProcess;
  let port: number;
  let portalPort: number;
  let admin: Pool;
  let dns: TestDnsServer;
  let tenantA: TestTenant;
  let tenantB: TestTenant;
  let owner: PortalClient;
  let member: PortalClient;
  let ownerB: PortalClient;

  const signIn = async (slug: string, email: string) => {
    const client = new PortalClient(port, CONSOLE_HOST);
    const response = await client.submit('/login', '/login', { workspace: slug, email, password: TEST_PASSWORD, next: '/' });
    expect(response.status).toBe(303);
    return client;
  };

  const addDomain = (client: PortalClient, hostname: string) => client.submit('/settings/domains', '/settings/domains', { hostname });

  const domainRow = async (hostname: string): Promise<DomainState | undefined> =>
    (
      await admin.query<DomainState>(
        'SELECT id, verification_token, verified_at, is_primary, last_checked_at, last_check_error FROM tenant_domains WHERE hostname = $1',
        [hostname],
      )
    ).rows[0];

  /** Waits until the worker has checked the domain at least once since `since`. */
  const checkedAfter = (hostname: string, since: Date) =>
    waitFor(
      async () => {
        const row = await domainRow(hostname);
        return row?.last_checked_at && row.last_checked_at >= since ? row : undefined;
      },
      15_000,
      `a check of ${hostname}`,
    );

  const portalGet = (hostname: string, path = '/login') => rawRequest(portalPort, hostname, path);

  /** Posts a button form of the domains page. */
  const press = async (client: PortalClient, action: string) => {
    const token = csrfFrom((await client.get('/settings/domains')).body);
    return client.request(action, { form: { _csrf: token } });
  };

  beforeAll(async () => {
    admin = adminPool();
    dns = await startDnsServer();
    process.env.DNS_SERVERS = dns.address;
    process.env.DOMAIN_RECHECK_SECONDS = '1';
    tenantA = await provisionTestTenant(admin, 'dom-a', 1);
    tenantB = await provisionTestTenant(admin, 'dom-b', 1);
    await admin.query(`INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'A member', 'member', 'active', $3)`, [
      tenantA.tenantId,
      `member@${tenantA.slug}.example`,
      await hashPassword(TEST_PASSWORD),
    ]);
    ({ app, port } = await startConsole());
    worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
    await worker.init();
    ({ child: portal, port: portalPort } = await startAppProcess('portal'));

    owner = await signIn(tenantA.slug, `owner@${tenantA.slug}.example`);
    member = await signIn(tenantA.slug, `member@${tenantA.slug}.example`);
    ownerB = await signIn(tenantB.slug, `owner@${tenantB.slug}.example`);
  }, 60_000);

  afterAll(async () => {
    await stopAppProcess(portal);
    await removeRechecks();
    await worker?.close();
    await app?.close();
    await dns?.close();
    await admin?.end();
    delete process.env.DNS_SERVERS;
    delete process.env.DOMAIN_RECHECK_SECONDS;
  });

  /** Drops this file's scheduled re-checks, so no later worker looks these test names up in real DNS. */
  const removeRechecks = async () => {
    if (!worker) return;
    const queue = worker.get<Queue<DomainVerificationJob>>(getQueueToken(DOMAIN_VERIFICATION_QUEUE));
    const ours = new Set([tenantA?.tenantId, tenantB?.tenantId]);
    for (const job of await queue.getDelayed()) {
      if (ours.has(job.data.tenantId)) await job.remove();
    }
  };

  it('lists the platform hostname', async () => {
    const page = await owner.get('/settings/domains');

    expect(page.status).toBe(200);
    expect(page.body).toContain(`<code>${tenantA.slug}.localhost</code>`);
    expect(page.body).toContain(`<code>portal.${tenantA.slug}.test</code>`);
  });

  it('verifies a domain with the right TXT record', async () => {
    const hostname = `portal.${tenantA.slug}-own.test`;
    const added = new Date();

    const response = await addDomain(owner, hostname);

    expect(response.status).toBe(303);
    const pending = await checkedAfter(hostname, added);
    expect(pending.verified_at).toBeNull();
    expect(pending.last_check_error).toContain('does not exist (NXDOMAIN)');
    const page = (await owner.get('/settings/domains')).body;
    expect(page).toContain(`_portal-verification.${hostname}`);
    expect(page).toContain(html(`portal-verification=${pending.verification_token}`));
    expect(page).toContain('does not exist (NXDOMAIN)');
    expect((await portalGet(hostname)).status).toBe(404);

    dns.set(`_portal-verification.${hostname}`, { TXT: ['v=spf1 -all', `portal-verification=${pending.verification_token}`] });
    const requested = new Date();
    expect((await press(owner, `/settings/domains/${pending.id}/verify`)).status).toBe(303);
    const verified = await checkedAfter(hostname, requested);

    expect(verified.verified_at).not.toBeNull();
    expect(verified.last_check_error).toBeNull();
    const served = await portalGet(hostname);
    expect(served.status).toBe(200);
    expect(served.body).toContain(`Brand ${tenantA.slug}`);
    expect((await owner.get('/settings/domains')).body).toMatch(new RegExp(`id="domain-${pending.id}" data-state="verified"`));
  });

  it('re-checks a pending domain on its own', async () => {
    const hostname = `later.${tenantA.slug}.test`;
    const added = new Date();
    expect((await addDomain(owner, hostname)).status).toBe(303);
    const pending = await checkedAfter(hostname, added);
    expect(pending.verified_at).toBeNull();

    dns.set(`_portal-verification.${hostname}`, { TXT: [`portal-verification=${pending.verification_token}`] });
    const verified = await waitFor(async () => {
      const row = await domainRow(hostname);
      return row?.verified_at ? row : undefined;
    }, 15_000, `verification of ${hostname}`);

    expect(verified.last_check_error).toBeNull();
    expect((await portalGet(hostname)).status).toBe(200);
  });

  it('joins repeated Verify now presses into one check', async () => {
    const hostname = `presses.${tenantA.slug}.test`;
    expect((await addDomain(owner, hostname)).status).toBe(303);
    const { rows } = await admin.query<{ id: string }>('SELECT id FROM tenant_domains WHERE hostname = $1', [hostname]);
    for (let count = 0; count < 5; count += 1) {
      expect((await press(owner, `/settings/domains/${rows[0].id}/verify`)).status).toBe(303);
    }

    const queue = worker.get<Queue<DomainVerificationJob>>(getQueueToken(DOMAIN_VERIFICATION_QUEUE));
    const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'prioritized']);
    const checks = jobs.filter((job) => job.data.domainId === rows[0].id);
    // One job per domain and minute; a minute boundary between the presses makes two.
    expect(checks.length).toBeGreaterThanOrEqual(1);
    expect(checks.length).toBeLessThanOrEqual(2);
  });

  it('records the reason of a wrong TXT record', async () => {
    const hostname = `wrong.${tenantA.slug}.test`;
    dns.set(`_portal-verification.${hostname}`, { TXT: ['portal-verification=someone-elses-token-value'] });
    const added = new Date();

    expect((await addDomain(owner, hostname)).status).toBe(303);
    const failed = await checkedAfter(hostname, added);

    expect(failed.verified_at).toBeNull();
    const reason = `_portal-verification.${hostname} has 1 TXT record(s), none of them portal-verification=${failed.verification_token}`;
    expect(failed.last_check_error).toBe(reason);
    const page = (await owner.get('/settings/domains')).body;
    expect(page).toMatch(new RegExp(`id="domain-${failed.id}" data-state="failed"`));
    expect(page).toContain(html(reason));
    expect((await portalGet(hostname)).status).toBe(404);
  });

  it('keeps a hostname to one tenant', async () => {
    const hostname = `claimed-${Date.now()}.example.net`;
    expect((await addDomain(owner, hostname)).status).toBe(303);

    const taken = await addDomain(ownerB, hostname);
    const again = await addDomain(owner, hostname.toUpperCase());

    expect(taken.status).toBe(400);
    expect(taken.body).toContain('hostname: is already in use by another workspace');
    expect(taken.body).not.toContain(tenantA.slug);
    expect(taken.body).not.toContain(tenantA.tenantId);
    expect(taken.body).not.toContain(`Brand ${tenantA.slug}`);
    expect(again.status).toBe(400);
    expect(again.body).toContain('hostname: is already added to this workspace');
    const rows = await admin.query('SELECT tenant_id FROM tenant_domains WHERE hostname = $1', [hostname]);
    expect(rows.rows).toEqual([{ tenant_id: tenantA.tenantId }]);
  });

  it.each([
    ['localhost', 'is reserved for the local machine'],
    ['shop.localhost', 'is reserved for the local machine'],
    ['other-tenant.localhost', 'is reserved for the local machine'],
    ['console.localhost', 'is reserved for the local machine'],
    ['203.0.113.7', 'is an IP address'],
    ['[2001:db8::1]', 'is an IP address'],
    ['127.1', 'is an IP address'],
    ['intranet', 'is a single label'],
    ['https://portal.example.com/', 'starts with a scheme'],
    ['portal.example.com/login', 'contains a path'],
    ['portal.example.com:8443', 'contains a port'],
    ['-bad.example.com', 'has an invalid label "-bad"'],
    ['under_score.example.com', 'has an invalid label "under_score"'],
    [`${'a'.repeat(64)}.example.com`, 'has an invalid label'],
    [`${'abcdefghi.'.repeat(26)}com`, 'is longer than 232 characters'],
    ['', 'is missing'],
  ])('rejects %s at add', async (hostname, reason) => {
    const before = await admin.query('SELECT count(*) FROM tenant_domains WHERE tenant_id = $1', [tenantA.tenantId]);

    const response = await addDomain(owner, hostname);

    expect(response.status).toBe(400);
    expect(response.body).toContain(html(`hostname: ${reason}`));
    const after = await admin.query('SELECT count(*) FROM tenant_domains WHERE tenant_id = $1', [tenantA.tenantId]);
    expect(after.rows[0].count).toBe(before.rows[0].count);
  });

  it('normalises case, trailing dot and IDN', async () => {
    expect((await addDomain(owner, 'Portal.Bücher-Dom.TEST.')).status).toBe(303);

    expect(await domainRow('portal.xn--bcher-dom-q9a.test')).toBeDefined();
  });

  it('keeps members out', async () => {
    const home = await member.get('/');

    expect((await member.get('/settings/domains')).status).toBe(403);
    const add = await member.request('/settings/domains', { form: { _csrf: csrfFrom(home.body), hostname: 'member.example.com' } });
    expect(add.status).toBe(403);
    expect(await domainRow('member.example.com')).toBeUndefined();
  });

  it('rejects a form without its CSRF token', async () => {
    const response = await owner.request('/settings/domains', { form: { hostname: 'csrf.example.com' } });

    expect(response.status).toBe(403);
    expect(await domainRow('csrf.example.com')).toBeUndefined();
  });

  it("hides one tenant's domains from another", async () => {
    const hostname = `private.${tenantA.slug}.test`;
    expect((await addDomain(owner, hostname)).status).toBe(303);
    const { id } = (await domainRow(hostname))!;

    for (const action of ['verify', 'primary', 'delete']) {
      const response = await press(ownerB, `/settings/domains/${id}/${action}`);
      expect({ action, status: response.status }).toEqual({ action, status: 404 });
    }
    expect((await ownerB.get('/settings/domains')).body).not.toContain(hostname);
    expect(await domainRow(hostname)).toBeDefined();
  });

  it('changes the primary domain and falls back on removal', async () => {
    const hostname = `primary.${tenantA.slug}.test`;
    expect((await addDomain(owner, hostname)).status).toBe(303);
    const pending = (await domainRow(hostname))!;

    const notVerified = await press(owner, `/settings/domains/${pending.id}/primary`);
    expect(notVerified.headers.location).toBe('/settings/domains?done=not-verified');
    expect((await domainRow(hostname))!.is_primary).toBe(false);

    dns.set(`_portal-verification.${hostname}`, { TXT: [`portal-verification=${pending.verification_token}`] });
    const requested = new Date();
    await press(owner, `/settings/domains/${pending.id}/verify`);
    await checkedAfter(hostname, requested);
    expect((await press(owner, `/settings/domains/${pending.id}/primary`)).headers.location).toBe('/settings/domains?done=primary');
    const primaries = await admin.query('SELECT hostname FROM tenant_domains WHERE tenant_id = $1 AND is_primary', [tenantA.tenantId]);
    expect(primaries.rows).toEqual([{ hostname }]);
    expect((await portalGet(hostname)).status).toBe(200);

    expect((await press(owner, `/settings/domains/${pending.id}/delete`)).status).toBe(303);

    expect(await domainRow(hostname)).toBeUndefined();
    const left = await admin.query('SELECT hostname FROM tenant_domains WHERE tenant_id = $1 AND is_primary', [tenantA.tenantId]);
    expect(left.rows).toEqual([]);
    expect((await owner.get('/settings/domains')).body).toMatch(/id="platform-hostname"><th scope="row"><code>[^<]+<\/code><\/th><td>[^<]+<\/td>\s*<td>Primary/);
    expect((await portalGet(hostname)).status).toBe(404);
  });

  it('keeps one primary under concurrent changes', async () => {
    const ids: string[] = [];
    for (const name of ['first', 'second', 'third']) {
      const result = await admin.query<{ id: string }>(
        `INSERT INTO tenant_domains (tenant_id, hostname, verification_token, verified_at) VALUES ($1, $2, $3, now()) RETURNING id`,
        [tenantA.tenantId, `${name}.${tenantA.slug}.test`, `token-of-${name}-domain`],
      );
      ids.push(result.rows[0].id);
    }
    const token = csrfFrom((await owner.get('/settings/domains')).body);

    const responses = await Promise.all(ids.map((id) => owner.request(`/settings/domains/${id}/primary`, { form: { _csrf: token } })));

    expect(responses.map((response) => response.status)).toEqual([303, 303, 303]);
    const primaries = await admin.query('SELECT id FROM tenant_domains WHERE tenant_id = $1 AND is_primary', [tenantA.tenantId]);
    expect(primaries.rows).toHaveLength(1);
    expect(ids).toContain(primaries.rows[0].id);
  });

  it('logs domain changes in the activity log', async () => {
    const result = await admin.query<{ action: string }>(
      `SELECT DISTINCT action FROM activity_events WHERE tenant_id = $1 AND action LIKE 'domain.%' ORDER BY action`,
      [tenantA.tenantId],
    );

    expect(result.rows.map((row) => row.action)).toEqual([
      'domain.added',
      'domain.primary_changed',
      'domain.removed',
      'domain.verification_requested',
      'domain.verified',
    ]);
  });
});
