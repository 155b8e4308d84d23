import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';

import { EMAIL_QUEUE, EmailJob } from '../../libs/queue/src/queues';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { decodeQuotedPrintable } from '../support/smtp-sink';

describe('service request emails', () => {
  let mail: MailWorker;
  let admin: Pool;
  let tenant: TestTenant;
  let connection: Redis;
  let eventsConnection: Redis;
  let queue: Queue<EmailJob>;
  let events: QueueEvents;
  let requestId: string;
  let userId: string;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'sr-mail');
    const request = await admin.query<{ id: string; user_id: string }>(
      `UPDATE service_requests r SET portal_user_id = u.id, description = 'Valve <b>leaks</b> & drips'
       FROM portal_users u
       WHERE r.tenant_id = $1 AND r.external_id = $2 AND u.tenant_id = r.tenant_id AND u.email = $3
       RETURNING r.id, u.id AS user_id`,
      [tenant.tenantId, `${tenant.companies[0].key}-sr-s`, tenant.companies[0].email],
    );
    requestId = request.rows[0].id;
    userId = request.rows[0].user_id;
    mail = await startMailWorker();
    connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    queue = new Queue<EmailJob>(EMAIL_QUEUE, { connection });
    eventsConnection = connection.duplicate();
    events = new QueueEvents(EMAIL_QUEUE, { connection: eventsConnection });
    await events.waitUntilReady();
  }, 60_000);

  afterAll(async () => {
    await mail?.stop();
    await events?.close();
    await queue?.close();
    await connection?.quit();
    await eventsConnection?.quit();
    await admin?.end();
  });

  async function send(kind: string, recipient: string): Promise<{ outcome: string; status: string }> {
    const delivery = await admin.query<{ id: string }>(
      `INSERT INTO email_deliveries (tenant_id, kind, recipient, details) VALUES ($1, $2, $3, $4) RETURNING id`,
      [tenant.tenantId, kind, recipient, { serviceRequestId: requestId }],
    );
    const deliveryId = delivery.rows[0].id;
    const job: Job<EmailJob> = await queue.add('send', { tenantId: tenant.tenantId, deliveryId }, { jobId: randomUUID(), attempts: 1 });
    const outcome = await job.waitUntilFinished(events, 15_000);
    const row = await admin.query<{ status: string }>('SELECT status FROM email_deliveries WHERE tenant_id = $1 AND id = $2', [
      tenant.tenantId,
      deliveryId,
    ]);
    return { outcome, status: row.rows[0].status };
  }

  it('escapes the description in HTML', async () => {
    const recipient = tenant.companies[0].email;
    expect(await send('service_request_received', recipient)).toEqual({ outcome: 'sent', status: 'sent' });

    const [message] = mail.received.filter((item) => item.to.includes(recipient));
    const raw = decodeQuotedPrintable(message.raw);
    expect(raw).toContain('Valve &lt;b&gt;leaks&lt;/b&gt; &amp; drips');
    expect(raw).toContain('Valve <b>leaks</b> & drips');
    expect(raw).toContain(`/service-requests/${requestId}`);
  });

  it('cancels the confirmation of a disabled user', async () => {
    await admin.query(`UPDATE portal_users SET status = 'disabled' WHERE tenant_id = $1 AND id = $2`, [tenant.tenantId, userId]);
    try {
      expect(await send('service_request_received', tenant.companies[0].email)).toEqual({ outcome: 'cancelled', status: 'cancelled' });
    } finally {
      await admin.query(`UPDATE portal_users SET status = 'active' WHERE tenant_id = $1 AND id = $2`, [tenant.tenantId, userId]);
    }
  });

  it('sends notices to owners only', async () => {
    expect(await send('service_request_submitted', `nobody@${tenant.slug}.example`)).toEqual({ outcome: 'cancelled', status: 'cancelled' });
    expect(await send('service_request_submitted', `owner@${tenant.slug}.example`)).toEqual({ outcome: 'sent', status: 'sent' });
  });
});
