import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Queue } from 'bullmq';
import { Pool } from 'pg';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { hashPassword } from '../../libs/auth/src/passwords';
import { loadConfig } from '../../libs/config/src';
import { WEBHOOK_QUEUE, WebhookJob } from '../../libs/queue/src/queues';
import { decryptSecret } from '../../libs/webhooks/src/secret-box';
import { startDnsServer, TestDnsServer } from '../support/dns-server';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, startConsole } from '../support/portal-harness';
import { deliveryRow } from '../support/webhook-endpoints';
import { waitFor } from '../support/webhook-receiver';

const CONSOLE_HOST = 'console.localhost';
/** Public to the address checks. No delivery is sent to it: each name turns private before the worker sends. */
const PUBLIC_ADDRESS = '8.8.8.8';
const PUBLIC_REASON = 'webhooks must reach a public address';

describe('settings → webhooks', () => {
  let app: NestExpressApplication;
  let worker: INestApplication;
  let port: number;
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

  const endpointCount = async (tenant: TestTenant) =>
    Number((await admin.query('SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $1', [tenant.tenantId])).rows[0].count);

  /** Submits the add form and returns the response. */
  const addEndpoint = (client: PortalClient, url: string, eventType = 'document.viewed') =>
    client.submit('/settings/webhooks/new', '/settings/webhooks', { url, description: 'CRM sync', event_types: eventType });

  /** Adds an endpoint whose host name resolves to a public address, and returns its id. */
  const addPublicEndpoint = async (hostname: string) => {
    dns.set(hostname, { A: [PUBLIC_ADDRESS] });
    const response = await addEndpoint(owner, `https://${hostname}/hooks`);
    expect(response.status).toBe(303);
    return /\/settings\/webhooks\/([0-9a-f-]{36})/.exec(String(response.headers.location))![1];
  };

  beforeAll(async () => {
    admin = adminPool();
    dns = await startDnsServer();
    process.env.DNS_SERVERS = dns.address;
    process.env.WEBHOOK_MAX_ATTEMPTS = '2';
    process.env.WEBHOOK_BACKOFF_MS = '50';
    tenantA = await provisionTestTenant(admin, 'hooks-a', 1);
    tenantB = await provisionTestTenant(admin, 'hooks-b', 1);
    await admin.query(`INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'A member', 'member', 'active', $3)`, [
      tenantA.tenantId,
      `member@${tenantA.slug}.example`,
      await hashPassword(TEST_PASSWORD),
    ]);
    ({ app, port } = await startConsole());
    worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
    await worker.init();

    owner = await signIn(tenantA.slug, `owner@${tenantA.slug}.example`);
    member = await signIn(tenantA.slug, `member@${tenantA.slug}.example`);
    ownerB = await signIn(tenantB.slug, `owner@${tenantB.slug}.example`);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await dns?.close();
    await admin?.end();
    for (const name of ['DNS_SERVERS', 'WEBHOOK_MAX_ATTEMPTS', 'WEBHOOK_BACKOFF_MS']) delete process.env[name];
  });

  it.each([
    ['loopback.save.test', { A: ['127.0.0.1'] }, 'url: resolves to a loopback address 127.0.0.1'],
    ['private.save.test', { A: [PUBLIC_ADDRESS, '10.0.0.5'] }, 'url: resolves to a private address 10.0.0.5'],
    ['metadata.save.test', { A: ['169.254.169.254'] }, 'url: resolves to a cloud metadata address 169.254.169.254'],
    ['ipv6.save.test', { AAAA: ['::1'] }, 'url: resolves to a loopback address ::1'],
    ['mapped.save.test', { AAAA: ['::ffff:10.1.2.3'] }, 'url: resolves to a private address ::ffff:10.1.2.3'],
    ['translated.save.test', { AAAA: ['::ffff:0:7f00:1'] }, 'url: resolves to a loopback address ::ffff:0:7f00:1'],
    ['documentation.save.test', { A: ['203.0.113.10'] }, 'url: resolves to a documentation address 203.0.113.10'],
  ])('rejects %s when saved', async (hostname, records, reason) => {
    dns.set(hostname, records);
    const before = await endpointCount(tenantA);

    const response = await addEndpoint(owner, `https://${hostname}/hooks`);

    expect(response.status).toBe(400);
    expect(response.body).toContain(`${reason}; ${PUBLIC_REASON}`);
    expect(response.body).toContain(`value="https://${hostname}/hooks"`);
    expect(await endpointCount(tenantA)).toBe(before);
  });

  it.each([
    ['http://2130706433/', 'url: is a loopback address 127.0.0.1'],
    ['http://0x7f.1/', 'url: is a loopback address 127.0.0.1'],
    ['http://127.1:8080/', 'url: is a loopback address 127.0.0.1'],
    ['http://[::ffff:127.0.0.1]/', 'url: is a loopback address ::ffff:7f00:1'],
    ['http://[fd00:ec2::254]/', 'url: is a cloud metadata address fd00:ec2::254'],
    ['http://100.64.0.1/', 'url: is a carrier-grade NAT address 100.64.0.1'],
    ['http://localhost:9000/', 'url: resolves to a loopback address 127.0.0.1'],
    ['ftp://files.save.test/', 'url: uses ftp; only http and https URLs are allowed'],
    ['https://user:secret@files.save.test/', 'url: contains a user name or password'],
    ['not a url', 'url: is not a valid URL'],
    ['https://missing.save.test/', 'url: host name missing.save.test could not be resolved'],
  ])('rejects %s when saved', async (url, reason) => {
    const response = await addEndpoint(owner, url);

    expect(response.status).toBe(400);
    expect(response.body).toContain(reason);
  });

  it('rejects an unknown event type', async () => {
    dns.set('events.save.test', { A: [PUBLIC_ADDRESS] });
    const response = await addEndpoint(owner, 'https://events.save.test/', 'invoice.paid');

    expect(response.status).toBe(400);
    expect(response.body).toContain('event_types: &quot;invoice.paid&quot; is not an event type');
  });

  it('saves a public endpoint with a secret', async () => {
    const id = await addPublicEndpoint('crm.save.test');
    const page = await owner.get(`/settings/webhooks/${id}?done=created`);
    const row = (await admin.query('SELECT url, event_types, enabled, secret_ciphertext FROM webhook_endpoints WHERE id = $1', [id])).rows[0];
    const secret = decryptSecret(loadConfig().WEBHOOK_SECRET_KEY, row.secret_ciphertext, tenantA.tenantId, id);

    expect(row.url).toBe('https://crm.save.test/hooks');
    expect(row.event_types).toEqual(['document.viewed']);
    expect(row.enabled).toBe(true);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(page.status).toBe(200);
    expect(page.body).toContain(secret);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(row.secret_ciphertext.toString('latin1')).not.toContain(secret);
  });

  it('rotates the secret', async () => {
    const id = await addPublicEndpoint('rotate.save.test');
    const secretOf = async () => /id="signing-secret">([^<]+)</.exec((await owner.get(`/settings/webhooks/${id}`)).body)![1];
    const before = await secretOf();

    const response = await owner.submit(`/settings/webhooks/${id}`, `/settings/webhooks/${id}/rotate-secret`, {});

    expect(response.status).toBe(303);
    expect(await secretOf()).not.toBe(before);
  });

  it('rejects at delivery after DNS changes, then redelivers', async () => {
    const id = await addPublicEndpoint('rebind.save.test');
    dns.set('rebind.save.test', { A: ['10.0.0.5'] });

    const test = await owner.submit(`/settings/webhooks/${id}`, `/settings/webhooks/${id}/test`, {});
    expect(test.status).toBe(303);
    const [delivery] = (await admin.query<{ id: string }>('SELECT id FROM webhook_deliveries WHERE endpoint_id = $1', [id])).rows;
    const failed = await waitFor(async () => {
      const row = await deliveryRow(admin, delivery.id);
      return row.status === 'failed' ? row : undefined;
    });
    expect(failed.last_response).toBe(`url: resolves to a private address 10.0.0.5; ${PUBLIC_REASON}`);
    expect(failed.last_status_code).toBeNull();
    const page = await owner.get(`/settings/webhooks/${id}`);
    expect(page.body).toContain('resolves to a private address 10.0.0.5');
    expect(page.body).toContain(failed.event_id);

    const redeliver = await owner.submit(`/settings/webhooks/${id}`, `/settings/webhooks/${id}/deliveries/${delivery.id}/redeliver`, {});
    expect(redeliver.status).toBe(303);
    const job = await worker.get<Queue<WebhookJob>>(getQueueToken(WEBHOOK_QUEUE)).getJob(`${delivery.id}-r2`);
    expect(job?.data).toEqual({ tenantId: tenantA.tenantId, deliveryId: delivery.id, round: 2 });
    const again = await waitFor(async () => {
      const row = await deliveryRow(admin, delivery.id);
      return row.round === 2 && row.status === 'failed' ? row : undefined;
    });
    expect(again.event_id).toBe(failed.event_id);
    expect(again.attempt_count).toBe(2);
  }, 30_000);

  it('pages the delivery log, newest first', async () => {
    const id = await addPublicEndpoint('paged.save.test');
    await admin.query(
      `WITH events AS (
         INSERT INTO webhook_events (tenant_id, id, type, payload, created_at)
         SELECT $1, gen_random_uuid(), 'ping', jsonb_build_object('n', n), now() - make_interval(mins => n) FROM generate_series(1, 55) AS n
         RETURNING id, created_at, payload)
       INSERT INTO webhook_deliveries (tenant_id, event_id, endpoint_id, status, last_response, created_at)
       SELECT $1, id, $2, 'succeeded', 'delivery ' || (payload->>'n'), created_at FROM events`,
      [tenantA.tenantId, id],
    );
    const rowsOf = (html: string) => [...html.matchAll(/<td>delivery (\d+)<\/td>/g)].map((match) => Number(match[1]));

    const first = await owner.get(`/settings/webhooks/${id}`);
    const older = /href="(\/settings\/webhooks\/[^"]+\?after=[^"]+)" rel="next"/.exec(first.body);
    expect(rowsOf(first.body)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(older).not.toBeNull();

    const second = await owner.get(older![1]);
    expect(rowsOf(second.body)).toEqual([51, 52, 53, 54, 55]);
    expect(second.body).not.toContain('rel="next"');
    expect((await owner.get(`/settings/webhooks/${id}?after=not-a-cursor`)).status).toBe(400);
  });

  it('edits, disables and deletes', async () => {
    const id = await addPublicEndpoint('edit.save.test');
    dns.set('edit2.save.test', { A: [PUBLIC_ADDRESS] });

    const edit = await owner.submit(`/settings/webhooks/${id}/edit`, `/settings/webhooks/${id}`, {
      url: 'https://edit2.save.test/new',
      description: 'Renamed',
      event_types: 'portal_user.activated',
    });
    expect(edit.status).toBe(303);
    const disable = await owner.submit(`/settings/webhooks/${id}`, `/settings/webhooks/${id}/disable`, {});
    expect(disable.status).toBe(303);
    const row = (await admin.query('SELECT url, description, event_types, enabled FROM webhook_endpoints WHERE id = $1', [id])).rows[0];
    expect(row).toEqual({ url: 'https://edit2.save.test/new', description: 'Renamed', event_types: ['portal_user.activated'], enabled: false });

    // Deleting and replacing the secret each take a second click inside a disclosure.
    const page = await owner.get(`/settings/webhooks/${id}`);
    expect(page.body).toMatch(/<summary[^>]*>Delete<\/summary>\s*<form method="post" action="[^"]+\/delete"/);
    expect(page.body).toMatch(/<summary[^>]*>Create a new secret<\/summary>\s*<form method="post" action="[^"]+\/rotate-secret"/);

    const remove = await owner.submit(`/settings/webhooks/${id}`, `/settings/webhooks/${id}/delete`, {});
    expect(remove.status).toBe(303);
    expect((await admin.query('SELECT 1 FROM webhook_endpoints WHERE id = $1', [id])).rowCount).toBe(0);
  });

  it('keeps members out', async () => {
    const home = await member.get('/');
    const before = await endpointCount(tenantA);

    expect(home.body).not.toContain('href="/settings/webhooks"');
    expect((await member.get('/settings/webhooks')).status).toBe(403);
    const create = await member.request('/settings/webhooks', {
      form: { _csrf: csrfFrom(home.body), url: `https://${PUBLIC_ADDRESS}/`, event_types: 'document.viewed' },
    });
    expect(create.status).toBe(403);
    expect(await endpointCount(tenantA)).toBe(before);
  });

  it('hides tenant A endpoints from tenant B', async () => {
    const id = await addPublicEndpoint('isolated.save.test');
    await owner.submit(`/settings/webhooks/${id}`, `/settings/webhooks/${id}/disable`, {});
    const deliveryId = (
      await admin.query<{ id: string }>(
        `WITH event AS (INSERT INTO webhook_events (tenant_id, id, type, payload) VALUES ($1, gen_random_uuid(), 'ping', '{}') RETURNING id)
         INSERT INTO webhook_deliveries (tenant_id, event_id, endpoint_id, status) SELECT $1, id, $2, 'succeeded' FROM event RETURNING id`,
        [tenantA.tenantId, id],
      )
    ).rows[0].id;
    const token = csrfFrom((await ownerB.get('/')).body);

    expect((await ownerB.get(`/settings/webhooks/${id}`)).status).toBe(404);
    expect((await ownerB.get(`/settings/webhooks/${id}/edit`)).status).toBe(404);
    expect((await ownerB.get('/settings/webhooks')).body).not.toContain('isolated.save.test');
    for (const action of ['enable', 'delete', 'rotate-secret', 'test', `deliveries/${deliveryId}/redeliver`]) {
      const response = await ownerB.request(`/settings/webhooks/${id}/${action}`, { form: { _csrf: token } });
      expect({ action, status: response.status }).toEqual({ action, status: 404 });
    }
    const ownEndpoint = await ownerB.submit('/settings/webhooks/new', '/settings/webhooks', {
      url: 'https://isolated.save.test/b',
      event_types: 'document.viewed',
    });
    const ownId = /\/settings\/webhooks\/([0-9a-f-]{36})/.exec(String(ownEndpoint.headers.location))![1];
    const crossed = await ownerB.request(`/settings/webhooks/${ownId}/deliveries/${deliveryId}/redeliver`, { form: { _csrf: token } });
    expect(crossed.status).toBe(404);

    const update = await ownerB.request(`/settings/webhooks/${id}`, {
      form: { _csrf: token, url: `https://${PUBLIC_ADDRESS}/`, event_types: 'document.viewed' },
    });
    expect(update.status).toBe(404);

    const row = (await admin.query('SELECT url, enabled FROM webhook_endpoints WHERE id = $1', [id])).rows[0];
    expect(row).toEqual({ url: 'https://isolated.save.test/hooks', enabled: false });
    expect(await deliveryRow(admin, deliveryId)).toMatchObject({ status: 'succeeded', round: 1 });
  });

  it('requires the CSRF token', async () => {
    dns.set('csrf.save.test', { A: [PUBLIC_ADDRESS] });
    const before = await endpointCount(tenantA);

    const response = await owner.request('/settings/webhooks', { form: { url: 'https://csrf.save.test/', event_types: 'document.viewed' } });

    expect(response.status).toBe(403);
    expect(await endpointCount(tenantA)).toBe(before);
  });
});
