import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import { Pool } from 'pg';

import { newAccessToken } from '../../libs/auth/src/access-links';
import { executorFor } from '../../libs/db/src/sql-executor';
import { prepareDocument } from '../../libs/documents/src/prepared-document';
import { redisOptions } from '../../libs/queue/src/queue.module';
import { WEBHOOK_QUEUE, WebhookJob } from '../../libs/queue/src/queues';
import { LocalStorage } from '../../libs/storage/src/local-storage';
import { adminPool, appPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom, PortalClient, startPortal } from '../support/portal-harness';
import { insertEndpoint } from '../support/webhook-endpoints';

const NEW_PASSWORD = 'lantern-orchard-velvet-42';

describe('webhook events from the portal', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let appRole: Pool;
  let tenant: TestTenant;
  let queue: Queue<WebhookJob>;
  let folder: string;
  let endpointId: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'webhook-events-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    admin = adminPool();
    appRole = appPool();
    tenant = await provisionTestTenant(admin, 'events', 1);
    endpointId = (
      await insertEndpoint(admin, tenant.tenantId, { url: 'https://hooks.events.test/', eventTypes: ['portal_user.activated', 'document.viewed'] })
    ).id;
    await insertEndpoint(admin, tenant.tenantId, { url: 'https://off.events.test/', eventTypes: ['portal_user.activated'], enabled: false });
    ({ app, port } = await startPortal());
    queue = new Queue(WEBHOOK_QUEUE, { connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') });
  });

  afterAll(async () => {
    await queue.close();
    await app.close();
    await admin.end();
    await appRole.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  const client = () => new PortalClient(port, `${tenant.slug}.localhost`);

  async function eventsOf(type: string) {
    const result = await admin.query<{ id: string; payload: Record<string, unknown> }>(
      'SELECT id, payload FROM webhook_events WHERE tenant_id = $1 AND type = $2 ORDER BY created_at',
      [tenant.tenantId, type],
    );
    return result.rows;
  }

  async function deliveriesOf(eventId: string) {
    const result = await admin.query<{ id: string; endpoint_id: string; round: number }>(
      'SELECT id, endpoint_id, round FROM webhook_deliveries WHERE event_id = $1',
      [eventId],
    );
    return result.rows;
  }

  async function invite(email: string, purpose = 'invitation'): Promise<{ userId: string; companyId: string; token: string }> {
    const company = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 LIMIT 1', [tenant.tenantId]);
    const user = await admin.query<{ id: string }>(
      `INSERT INTO portal_users (tenant_id, company_id, email, name, status, invited_at) VALUES ($1, $2, $3, 'New Customer', 'invited', now()) RETURNING id`,
      [tenant.tenantId, company.rows[0].id, email],
    );
    const { token, hash } = newAccessToken();
    await admin.query(
      `INSERT INTO access_tokens (tenant_id, purpose, portal_user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 day')`,
      [tenant.tenantId, purpose, user.rows[0].id, hash],
    );
    return { userId: user.rows[0].id, companyId: company.rows[0].id, token };
  }

  async function setPassword(token: string) {
    const browser = client();
    const page = await browser.get(`/set-password?token=${token}`);
    return browser.request('/set-password', { form: { _csrf: csrfFrom(page.body), token, password: NEW_PASSWORD, confirmation: NEW_PASSWORD } });
  }

  it('emits portal_user.activated on accepting an invitation', async () => {
    const { userId, companyId, token } = await invite('first.password@events.example');

    expect((await setPassword(token)).status).toBe(303);

    const events = (await eventsOf('portal_user.activated')).filter((event) => event.payload.portal_user_id === userId);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toEqual({
      portal_user_id: userId,
      company_id: companyId,
      email: 'first.password@events.example',
      name: 'New Customer',
    });
    expect(JSON.stringify(events[0].payload)).not.toContain(NEW_PASSWORD);
    const deliveries = await deliveriesOf(events[0].id);
    expect(deliveries.map((delivery) => delivery.endpoint_id)).toEqual([endpointId]);
    const job = await queue.getJob(`${deliveries[0].id}-r1`);
    expect(job?.data).toEqual({ tenantId: tenant.tenantId, deliveryId: deliveries[0].id, round: 1 });
  });

  it('emits nothing for a later password reset', async () => {
    const { userId, token } = await invite('reset.later@events.example');
    expect((await setPassword(token)).status).toBe(303);
    const reset = newAccessToken();
    await admin.query(
      `INSERT INTO access_tokens (tenant_id, purpose, portal_user_id, token_hash, expires_at) VALUES ($1, 'password_reset', $2, $3, now() + interval '1 day')`,
      [tenant.tenantId, userId, reset.hash],
    );

    expect((await setPassword(reset.token)).status).toBe(303);

    const events = (await eventsOf('portal_user.activated')).filter((event) => event.payload.portal_user_id === userId);
    expect(events).toHaveLength(1);
  });

  it('emits document.viewed on a PDF download', async () => {
    const browser = client();
    expect((await browser.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
    const user = await admin.query<{ id: string; company_id: string }>('SELECT id, company_id FROM portal_users WHERE tenant_id = $1 AND email = $2', [
      tenant.tenantId,
      tenant.companies[0].email,
    ]);
    const { id: userId, company_id: companyId } = user.rows[0];
    const invoice = await admin.query<{ id: string }>('SELECT id FROM invoices WHERE tenant_id = $1 AND shared_at IS NOT NULL LIMIT 1', [tenant.tenantId]);
    const request = { tenantId: tenant.tenantId, companyId, kind: 'invoice' as const, recordId: invoice.rows[0].id };

    // Stores the PDF under the key the portal computes, so the download needs no renderer.
    const connection = await appRole.connect();
    try {
      await connection.query('BEGIN');
      await connection.query(`SELECT set_config('role', 'portal_customer', true), set_config('app.tenant_id', $1, true), set_config('app.company_id', $2, true)`, [
        tenant.tenantId,
        companyId,
      ]);
      const prepared = await prepareDocument(executorFor(connection), request);
      await new LocalStorage(folder).put(tenant.tenantId, prepared!.key, Buffer.from('%PDF-1.4\n%%EOF\n'), 'application/pdf');
    } finally {
      await connection.query('ROLLBACK');
      connection.release();
    }

    const download = await browser.get(`/invoices/${invoice.rows[0].id}/pdf`);
    expect(download.status).toBe(200);

    const events = await eventsOf('document.viewed');
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ document_kind: 'invoice', record_id: invoice.rows[0].id, company_id: companyId, portal_user_id: userId });
    expect((await deliveriesOf(events[0].id)).map((delivery) => delivery.endpoint_id)).toEqual([endpointId]);

    expect((await browser.get(`/invoices/00000000-0000-4000-8000-000000000000/pdf`)).status).toBe(404);
    expect(await eventsOf('document.viewed')).toHaveLength(1);
  });
});
