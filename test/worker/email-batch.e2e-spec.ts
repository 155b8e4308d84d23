import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { hashAccessToken } from '../../libs/auth/src/access-links';
import { redisOptions } from '../../libs/queue/src/queue.module';
import { EMAIL_QUEUE, EmailJob } from '../../libs/queue/src/queues';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { linkIn, ReceivedMail, smtpUrlOf, startSmtpSink } from '../support/smtp-sink';

const BATCH = 120;

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('email worker stopped in the middle of a batch', () => {
  const sink: ReceivedMail[] = [];
  // Jobs left in the shared queue by other test files may reach this sink too; only this batch counts.
  const received = {
    get length() {
      return batchMail().length;
    },
  };
  const batchMail = () => sink.filter((mail) => mail.to.every((to) => to.endsWith('@batch.example')));
  let smtp: SMTPServer;
  let admin: Pool;
  let tenant: TestTenant;
  let queue: Queue<EmailJob>;

  beforeAll(async () => {
    // Each message takes a little while, so the first worker is stopped with work left.
    smtp = await startSmtpSink(sink, 15);
    process.env.SMTP_URL = smtpUrlOf(smtp);
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'batch');
    queue = new Queue<EmailJob>(EMAIL_QUEUE, { connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') });
  }, 60_000);

  afterAll(async () => {
    await queue.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await admin.end();
    delete process.env.SMTP_URL;
  });

  async function startWorker(): Promise<INestApplication> {
    const worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
    await worker.init();
    return worker;
  }

  it('sends every invitation exactly once across a stop and a restart, each with a working link', async () => {
    const company = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 LIMIT 1', [tenant.tenantId]);
    const created = await admin.query<{ delivery_id: string; email: string }>(
      `WITH users AS (
         INSERT INTO portal_users (tenant_id, company_id, email, status, invited_at)
         SELECT $1, $2, 'batch-' || n || '@batch.example', 'invited', now() FROM generate_series(1, $3) n
         RETURNING id, email),
       links AS (
         INSERT INTO access_tokens (tenant_id, purpose, portal_user_id, expires_at)
         SELECT $1, 'invitation', id, now() + interval '7 days' FROM users RETURNING id, portal_user_id)
       INSERT INTO email_deliveries (tenant_id, kind, recipient, access_token_id)
       SELECT $1, 'invitation', users.email, links.id FROM links JOIN users ON users.id = links.portal_user_id
       RETURNING id AS delivery_id, recipient AS email`,
      [tenant.tenantId, company.rows[0].id, BATCH],
    );
    expect(created.rows).toHaveLength(BATCH);
    await queue.addBulk(
      created.rows.map((row) => ({ name: 'send', data: { tenantId: tenant.tenantId, deliveryId: row.delivery_id }, opts: { jobId: row.delivery_id } })),
    );

    const first = await startWorker();
    await waitUntil(() => received.length >= 20, 30_000, 'the first emails');
    await first.close();
    const afterStop = received.length;
    expect(afterStop).toBeLessThan(BATCH);

    // The same jobs added again, as a producer retrying would, change nothing.
    await queue.addBulk(
      created.rows.map((row) => ({ name: 'send', data: { tenantId: tenant.tenantId, deliveryId: row.delivery_id }, opts: { jobId: row.delivery_id } })),
    );
    const second = await startWorker();
    try {
      await waitUntil(() => received.length >= BATCH, 60_000, 'the whole batch');
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await second.close();
    }

    const perRecipient = new Map<string, number>();
    for (const mail of batchMail()) for (const to of mail.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    expect(perRecipient.size).toBe(BATCH);
    expect([...perRecipient.values()].every((count) => count === 1)).toBe(true);

    const statuses = await admin.query('SELECT status, count(*)::int AS n FROM email_deliveries WHERE tenant_id = $1 GROUP BY status', [
      tenant.tenantId,
    ]);
    expect(statuses.rows).toEqual([{ status: 'sent', n: BATCH }]);

    // Every emailed token matches the hash stored for its own user.
    for (const mail of batchMail()) {
      const token = linkIn(mail, '/set-password').searchParams.get('token')!;
      const owner = await admin.query<{ email: string }>(
        `SELECT u.email FROM access_tokens t JOIN portal_users u ON u.tenant_id = t.tenant_id AND u.id = t.portal_user_id
         WHERE t.token_hash = $1 AND t.voided_at IS NULL AND t.used_at IS NULL`,
        [hashAccessToken(token)],
      );
      expect(owner.rows.map((row) => row.email)).toEqual(mail.to);
    }
  }, 120_000);
});
