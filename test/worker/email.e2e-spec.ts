import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Job, Queue, QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { EMAIL_QUEUE, EmailJob } from '../../libs/queue/src/queues';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { ReceivedMail, startSmtpSink } from '../support/smtp-sink';

describe('email worker', () => {
  const received: ReceivedMail[] = [];
  let smtp: SMTPServer;
  let worker: INestApplication;
  let admin: Pool;
  let tenant: TestTenant;
  let other: TestTenant;
  let connection: Redis;
  let eventsConnection: Redis;
  let queue: Queue<EmailJob>;
  let events: QueueEvents;

  beforeAll(async () => {
    smtp = await startSmtpSink(received);
    process.env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'mail');
    other = await provisionTestTenant(admin, 'mail-other');
    worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
    await worker.init();
    connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    queue = new Queue<EmailJob>(EMAIL_QUEUE, { connection });
    eventsConnection = connection.duplicate();
    events = new QueueEvents(EMAIL_QUEUE, { connection: eventsConnection });
    await events.waitUntilReady();
  }, 60_000);

  afterAll(async () => {
    await worker.close();
    await events.close();
    await queue.close();
    await connection.quit();
    await eventsConnection.quit();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await admin.end();
    delete process.env.SMTP_URL;
  });

  async function newDelivery(owner: TestTenant, recipient: string): Promise<string> {
    const result = await admin.query<{ id: string }>(
      `INSERT INTO email_deliveries (tenant_id, kind, recipient) VALUES ($1, 'branding_test', $2) RETURNING id`,
      [owner.tenantId, recipient],
    );
    return result.rows[0].id;
  }

  async function run(data: EmailJob): Promise<string> {
    const job: Job<EmailJob> = await queue.add('send', data, { jobId: randomUUID(), attempts: 1 });
    return job.waitUntilFinished(events, 15_000);
  }

  const mailTo = (recipient: string) => received.filter((mail) => mail.to.includes(recipient));

  it('sends a branded email through SMTP', async () => {
    const recipient = `brand-${randomUUID()}@example.test`;
    const deliveryId = await newDelivery(tenant, recipient);
    expect(await run({ tenantId: tenant.tenantId, deliveryId })).toBe('sent');

    const [mail] = mailTo(recipient);
    expect(mail.raw).toContain(`Subject: Test email from Brand ${tenant.slug}`);
    expect(mail.raw).toContain(`"Brand ${tenant.slug}" <no-reply@portal.localhost>`);
    expect(mail.raw).toContain('#123456');
    expect(mail.raw).toContain(`http://portal.${tenant.slug}.test:3000`);
    const row = await admin.query('SELECT status, attempts, message_id FROM email_deliveries WHERE id = $1', [deliveryId]);
    expect(row.rows[0]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(row.rows[0].message_id).toBeTruthy();
  });

  it('sends once when the job runs twice', async () => {
    const recipient = `twice-${randomUUID()}@example.test`;
    const deliveryId = await newDelivery(tenant, recipient);
    expect(await run({ tenantId: tenant.tenantId, deliveryId })).toBe('sent');
    expect(await run({ tenantId: tenant.tenantId, deliveryId })).toBe('already-sent');
    expect(mailTo(recipient)).toHaveLength(1);
  });

  it('ignores a delivery of another tenant', async () => {
    const recipient = `cross-${randomUUID()}@example.test`;
    const deliveryId = await newDelivery(tenant, recipient);
    expect(await run({ tenantId: other.tenantId, deliveryId })).toBe('missing');
    expect(mailTo(recipient)).toHaveLength(0);
    const row = await admin.query('SELECT status FROM email_deliveries WHERE id = $1', [deliveryId]);
    expect(row.rows[0].status).toBe('queued');
  });

  describe('new document notices', () => {
    async function sharedNotice(shared: boolean) {
      const invoice = await admin.query<{ id: string; number: string; company_id: string }>(
        `UPDATE invoices SET shared_at = ${shared ? 'now()' : 'NULL'}
         WHERE id = (SELECT id FROM invoices WHERE tenant_id = $1 ORDER BY number LIMIT 1) RETURNING id, number, company_id`,
        [tenant.tenantId],
      );
      const user = await admin.query<{ email: string }>(
        `SELECT email FROM portal_users WHERE tenant_id = $1 AND company_id = $2 AND status = 'active' LIMIT 1`,
        [tenant.tenantId, invoice.rows[0].company_id],
      );
      const delivery = await admin.query<{ id: string }>(
        `INSERT INTO email_deliveries (tenant_id, kind, recipient, details) VALUES ($1, 'document_shared', $2, $3) RETURNING id`,
        [tenant.tenantId, user.rows[0].email, { kind: 'invoices', recordId: invoice.rows[0].id, label: `Invoice ${invoice.rows[0].number}` }],
      );
      return { deliveryId: delivery.rows[0].id, recipient: user.rows[0].email, invoice: invoice.rows[0] };
    }

    it('links to the shared record on the tenant host', async () => {
      const { deliveryId, recipient, invoice } = await sharedNotice(true);
      expect(await run({ tenantId: tenant.tenantId, deliveryId })).toBe('sent');
      const [mail] = mailTo(recipient).slice(-1);
      expect(mail.raw).toContain(`Invoice ${invoice.number}`);
      expect(mail.raw.replace(/=\r?\n/g, '')).toContain(`http://portal.${tenant.slug}.test:3000/invoices/${invoice.id}`);
    });

    it('drops the notice when the record was hidden again before it left', async () => {
      const before = received.length;
      const { deliveryId } = await sharedNotice(false);
      expect(await run({ tenantId: tenant.tenantId, deliveryId })).toBe('cancelled');
      expect(received.length).toBe(before);
      const row = await admin.query('SELECT status FROM email_deliveries WHERE id = $1', [deliveryId]);
      expect(row.rows[0].status).toBe('cancelled');
    });
  });
});
