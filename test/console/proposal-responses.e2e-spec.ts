import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PortalClient, startConsole } from '../support/portal-harness';

describe('console view of a proposal response', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'answered', 1);
    ({ app, port } = await startConsole());
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  it('shows who accepted, the total and the chosen items', async () => {
    const [proposal] = (
      await admin.query<{ id: string }>('SELECT id FROM proposals WHERE tenant_id = $1 AND external_id = $2', [
        tenant.tenantId,
        `${tenant.companies[0].key}-pr-s`,
      ])
    ).rows;
    const [optional] = (
      await admin.query<{ id: string }>('SELECT id FROM proposal_lines WHERE proposal_id = $1 AND is_optional', [proposal.id])
    ).rows;
    // As the portal records an acceptance: the trigger computes the accepted total from the chosen line.
    await admin.query(
      `UPDATE proposals SET status = 'accepted', responded_at = now(), response_name = 'Pat <b>Signer</b>',
         response_ip = '203.0.113.9', response_user_agent = 'Test browser', response_hash = $2, accepted_line_ids = ARRAY[$3::uuid]
       WHERE id = $1`,
      [proposal.id, 'c'.repeat(64), optional.id],
    );

    const staff = new PortalClient(port, 'console.localhost');
    const signedIn = await staff.submit('/login', '/login', { workspace: tenant.slug, email: `owner@${tenant.slug}.example`, password: TEST_PASSWORD, next: '/' });
    expect(signedIn.status).toBe(303);
    const page = await staff.get(`/records/proposals/${proposal.id}`);

    expect(page.status).toBe(200);
    expect(page.body).toContain('Pat &lt;b&gt;Signer&lt;/b&gt;');
    expect(page.body).toContain('Optional items chosen');
    expect(page.body).toContain('Spare gauge');
    expect(page.body).toContain('$100.00');
    expect(page.body).toContain('203.0.113.9');
    expect(page.body).toContain('c'.repeat(64));
  });
});
