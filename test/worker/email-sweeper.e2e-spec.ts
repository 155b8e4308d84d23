import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';

import { EmailSweeper } from '../../apps/worker/src/email/email-sweeper.service';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { ReceivedMail, waitForMail } from '../support/smtp-sink';

describe('sweep of work that never reached the queue', () => {
  let mail: MailWorker;
  let received: ReceivedMail[];
  let worker: INestApplication;
  let admin: Pool;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'sweep');
    mail = await startMailWorker();
    ({ received, worker } = mail);
  }, 60_000);

  afterAll(async () => {
    await mail.stop();
    await admin.end();
  });

  it('queues an old delivery and an unfinished import, and leaves fresh ones alone', async () => {
    const old = await admin.query<{ id: string }>(
      `INSERT INTO email_deliveries (tenant_id, kind, recipient, created_at) VALUES ($1, 'branding_test', 'stranded@sweep.example', now() - interval '10 minutes') RETURNING id`,
      [tenant.tenantId],
    );
    await admin.query(`INSERT INTO email_deliveries (tenant_id, kind, recipient) VALUES ($1, 'branding_test', 'fresh@sweep.example')`, [
      tenant.tenantId,
    ]);
    const company = await admin.query<{ external_id: string }>('SELECT external_id FROM customer_companies WHERE tenant_id = $1 LIMIT 1', [
      tenant.tenantId,
    ]);
    const upload = await admin.query<{ id: string }>(
      `INSERT INTO user_imports (tenant_id, file_name, total_rows, created_by, created_at)
       SELECT $1, 'stranded.csv', 1, id, now() - interval '10 minutes' FROM staff_users WHERE tenant_id = $1 LIMIT 1 RETURNING id`,
      [tenant.tenantId],
    );
    await admin.query(
      `INSERT INTO user_import_rows (tenant_id, import_id, line_number, email, company_ref) VALUES ($1, $2, 2, 'imported@sweep.example', $3)`,
      [tenant.tenantId, upload.rows[0].id, company.rows[0].external_id],
    );

    const queued = await worker.get(EmailSweeper).sweep();
    expect(queued).toBeGreaterThanOrEqual(2);

    await waitForMail(received, 'stranded@sweep.example');
    await waitForMail(received, 'imported@sweep.example', 1, 30_000);
    const delivery = await admin.query('SELECT status FROM email_deliveries WHERE id = $1', [old.rows[0].id]);
    expect(delivery.rows[0].status).toBe('sent');
    const finished = await admin.query('SELECT status, processed_rows FROM user_imports WHERE id = $1', [upload.rows[0].id]);
    expect(finished.rows[0]).toEqual({ status: 'done', processed_rows: 1 });
    expect(received.some((mail) => mail.to.includes('fresh@sweep.example'))).toBe(false);
  }, 60_000);
});
