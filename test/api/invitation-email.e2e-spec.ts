import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { apiRequest, insertApiKey } from '../support/api-client';
import { companyBody } from '../support/api-bodies';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { startConsole } from '../support/portal-harness';
import { linkIn, waitForMail } from '../support/smtp-sink';

describe('API invitation email', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let key: string;
  let mail: MailWorker;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'api-invite', 1);
    key = await insertApiKey(admin, tenant.tenantId, 'read_write');
    mail = await startMailWorker();
    ({ app, port } = await startConsole());
    await apiRequest(port, 'PUT', '/api/v1/customer-companies/acme', { key, body: companyBody() });
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await mail.stop();
    await admin.end();
  });

  it('worker sends one set-password link', async () => {
    const email = `new.contact@${tenant.slug}.example`;
    const body = { companyExternalId: 'acme', email, name: 'New Contact', sendInvitation: true };

    expect((await apiRequest(port, 'PUT', '/api/v1/portal-users/contact-1', { key, body })).status).toBe(201);
    expect((await apiRequest(port, 'PUT', '/api/v1/portal-users/contact-1', { key, body })).status).toBe(200);

    const [message] = await waitForMail(mail.received, email);
    const link = linkIn(message, '/set-password');
    expect(link.origin).toBe(`http://portal.${tenant.slug}.test:3000`);
    expect(link.searchParams.get('token')).toMatch(/\S{20,}/);
    // The repeated request must not have queued a second email.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mail.received.filter((received) => received.to.includes(email))).toHaveLength(1);
  });
});
