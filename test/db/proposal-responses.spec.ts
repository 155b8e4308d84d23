import { createHash } from 'node:crypto';
import { Pool } from 'pg';

import { adminPool, appPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { asRole, RoleSettings } from '../support/roles';

const HASH = createHash('sha256').update('proposal as shown').digest('hex');

interface ProposalRow {
  id: string;
  company_id: string;
  shared_at: Date | null;
}

/** The customer role's answer to a proposal, as the portal writes it. */
function answer(status: 'accepted' | 'declined', userId: string, extra = '', signer = "'Pat Signer'"): string {
  return `UPDATE proposals SET status = '${status}', responded_at = now(), responded_by_user_id = '${userId}',
    response_name = ${signer}, response_hash = '${HASH}'${extra} WHERE id = $1`;
}

describe('proposal responses at the database', () => {
  let admin: Pool;
  let app: Pool;
  let tenant: TestTenant;
  let proposals: ProposalRow[];
  let users: Array<{ id: string; company_id: string }>;
  let companyX: string;
  let companyY: string;

  const sharedOf = (company: string) => proposals.find((row) => row.company_id === company && row.shared_at)!.id;
  const unsharedOf = (company: string) => proposals.find((row) => row.company_id === company && !row.shared_at)!.id;
  const userOf = (company: string) => users.find((user) => user.company_id === company)!.id;
  const customerX = (): RoleSettings => ({ tenantId: tenant.tenantId, companyId: companyX, userId: userOf(companyX) });

  beforeAll(async () => {
    admin = adminPool();
    app = appPool();
    tenant = await provisionTestTenant(admin, 'answers');
    const companies = await admin.query<{ id: string }>(
      'SELECT id FROM customer_companies WHERE tenant_id = $1 ORDER BY external_id',
      [tenant.tenantId],
    );
    [companyX, companyY] = companies.rows.map((row) => row.id);
    proposals = (
      await admin.query<ProposalRow>('SELECT id, company_id, shared_at FROM proposals WHERE tenant_id = $1', [tenant.tenantId])
    ).rows;
    users = (await admin.query('SELECT id, company_id FROM portal_users WHERE tenant_id = $1', [tenant.tenantId])).rows;
  });

  afterAll(async () => {
    await admin.end();
    await app.end();
  });

  async function optionalLine(proposalId: string, optional: boolean): Promise<string> {
    const result = await admin.query<{ id: string }>(
      'SELECT id FROM proposal_lines WHERE proposal_id = $1 AND is_optional = $2',
      [proposalId, optional],
    );
    return result.rows[0].id;
  }

  it('customer accepts its open proposal with optional lines', async () => {
    const id = sharedOf(companyX);
    const line = await optionalLine(id, true);
    await admin.query('UPDATE proposals SET tax_minor = 750 WHERE id = $1', [id]);
    try {
      const row = await asRole(app, 'portal_customer', customerX(), async (client) => {
        // The client's own totals are ignored: the trigger computes them from the lines.
        const sql = `${answer('accepted', userOf(companyX), `, accepted_line_ids = ARRAY['${line}']::uuid[], accepted_total_minor = 1`)}
          RETURNING accepted_subtotal_minor, accepted_tax_minor, accepted_total_minor, accepted_line_ids`;
        const result = await client.query(sql, [id]);
        return result.rows[0];
      });
      expect(row.accepted_subtotal_minor).toBe('10000');
      expect(row.accepted_tax_minor).toBe('1000');
      expect(row.accepted_total_minor).toBe('11000');
      expect(row.accepted_line_ids).toEqual([line]);
    } finally {
      await admin.query('UPDATE proposals SET tax_minor = 0 WHERE id = $1', [id]);
    }
  });

  it('customer cannot change other proposal columns', async () => {
    await expect(
      asRole(app, 'portal_customer', customerX(), (client) =>
        client.query("UPDATE proposals SET total_minor = 1, title = 'Free' WHERE id = $1", [sharedOf(companyX)]),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it.each([
    ['another company', () => sharedOf(companyY)],
    ['an unshared proposal', () => unsharedOf(companyX)],
  ])('customer cannot answer %s', async (_case, target) => {
    const result = await asRole(app, 'portal_customer', customerX(), (client) =>
      client.query(answer('accepted', userOf(companyX)), [target()]),
    );
    expect(result.rowCount).toBe(0);
  });

  it('customer cannot answer an expired proposal', async () => {
    const id = sharedOf(companyX);
    await admin.query(
      "UPDATE proposals SET issued_on = current_date - 10, valid_until = current_date - 2 WHERE id = $1",
      [id],
    );
    try {
      const result = await asRole(app, 'portal_customer', customerX(), (client) =>
        client.query(answer('accepted', userOf(companyX)), [id]),
      );
      expect(result.rowCount).toBe(0);
    } finally {
      await admin.query('UPDATE proposals SET issued_on = current_date - 2, valid_until = current_date + 28 WHERE id = $1', [id]);
    }
  });

  it('customer cannot answer as another user', async () => {
    await expect(
      asRole(app, 'portal_customer', customerX(), (client) =>
        client.query(answer('accepted', userOf(companyY)), [sharedOf(companyX)]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('customer cannot reopen or leave a proposal unanswered', async () => {
    await expect(
      asRole(app, 'portal_customer', customerX(), (client) =>
        client.query("UPDATE proposals SET status = 'sent', response_reason = 'x' WHERE id = $1", [sharedOf(companyX)]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('acceptance needs the signer name', async () => {
    await expect(
      asRole(app, 'portal_customer', customerX(), (client) =>
        client.query(answer('accepted', userOf(companyX), '', 'NULL'), [sharedOf(companyX)]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('accepted lines must be optional lines of the proposal', async () => {
    const id = sharedOf(companyX);
    const required = await optionalLine(id, false);
    const elsewhere = await optionalLine(sharedOf(companyY), true);
    for (const line of [required, elsewhere]) {
      await expect(
        asRole(app, 'portal_customer', customerX(), (client) =>
          client.query(answer('accepted', userOf(companyX), `, accepted_line_ids = ARRAY['${line}']::uuid[]`), [id]),
        ),
      ).rejects.toThrow(/optional lines/);
    }
  });

  it('an answered proposal cannot be answered again', async () => {
    const id = sharedOf(companyX);
    const results = await asRole(app, 'portal_customer', customerX(), async (client) => {
      const first = await client.query(answer('accepted', userOf(companyX)), [id]);
      const second = await client.query(answer('declined', userOf(companyX)), [id]);
      return [first.rowCount, second.rowCount];
    });
    expect(results).toEqual([1, 0]);
  });

  it('two racing answers: exactly one wins', async () => {
    const id = sharedOf(companyX);
    const first = await app.connect();
    const second = await app.connect();
    const open = `BEGIN; SELECT set_config('role', 'portal_customer', true), set_config('app.tenant_id', '${tenant.tenantId}', true),
      set_config('app.company_id', '${companyX}', true), set_config('app.user_id', '${userOf(companyX)}', true)`;
    try {
      await first.query(open);
      await second.query(open);
      const accepted = await first.query(answer('accepted', userOf(companyX)), [id]);
      // The second UPDATE waits for the first transaction's row lock, then re-checks the committed row.
      const declining = second.query(answer('declined', userOf(companyX)), [id]);
      await first.query('COMMIT');
      const declined = await declining;
      await second.query('COMMIT');

      expect(accepted.rowCount).toBe(1);
      expect(declined.rowCount).toBe(0);
      const stored = await admin.query('SELECT status FROM proposals WHERE id = $1', [id]);
      expect(stored.rows[0].status).toBe('accepted');
    } finally {
      await first.query('ROLLBACK').catch(() => undefined);
      await second.query('ROLLBACK').catch(() => undefined);
      first.release();
      second.release();
      // A signed proposal is frozen by a trigger, so the reset runs with triggers off.
      await admin.query(
        `BEGIN; SET LOCAL session_replication_role = replica;
         UPDATE proposals SET status = 'sent', responded_at = NULL, responded_by_user_id = NULL, response_name = NULL,
           response_hash = NULL WHERE id = '${id}'; COMMIT`,
      );
    }
  });

  describe('signed proposals', () => {
    let signed: string;
    const staff = (): RoleSettings => ({ tenantId: tenant.tenantId });

    beforeAll(async () => {
      signed = unsharedOf(companyY);
      // Signed as the portal does it, committed, so the freeze applies to every later transaction.
      await admin.query(
        `UPDATE proposals SET status = 'accepted', responded_at = now(), responded_by_user_id = $2, response_name = 'Pat',
           response_hash = $3 WHERE id = $1`,
        [signed, userOf(companyY), HASH],
      );
    });

    it.each([
      ['terms', "UPDATE proposals SET terms = 'Changed' WHERE id = $1"],
      ['prices', 'UPDATE proposals SET subtotal_minor = subtotal_minor + 1 WHERE id = $1'],
      ['company', 'UPDATE proposals SET company_id = (SELECT id FROM customer_companies WHERE id <> company_id AND tenant_id = proposals.tenant_id LIMIT 1) WHERE id = $1'],
      ['line price', 'UPDATE proposal_lines SET amount_minor = amount_minor + 1 WHERE proposal_id = $1'],
      ['line removal', 'DELETE FROM proposal_lines WHERE proposal_id = $1'],
      ['new line', `INSERT INTO proposal_lines (tenant_id, company_id, proposal_id, description, quantity, unit_price_minor, amount_minor)
        SELECT tenant_id, company_id, id, 'Extra', 1, 100, 100 FROM proposals WHERE id = $1`],
    ])('staff cannot change its %s', async (_case, sql) => {
      await expect(asRole(app, 'portal_staff', staff(), (client) => client.query(sql, [signed]))).rejects.toThrow(
        /signed by the customer/,
      );
    });

    it('staff can still unshare and share it', async () => {
      const result = await asRole(app, 'portal_staff', staff(), async (client) => {
        await client.query('UPDATE proposals SET shared_at = NULL WHERE id = $1', [signed]);
        return client.query('UPDATE proposals SET shared_at = now(), updated_at = now() WHERE id = $1', [signed]);
      });
      expect(result.rowCount).toBe(1);
    });

    it('unsigned proposals stay editable', async () => {
      const result = await asRole(app, 'portal_staff', staff(), async (client) => {
        await client.query("UPDATE proposal_lines SET description = 'Renamed' WHERE proposal_id = $1", [sharedOf(companyY)]);
        return client.query("UPDATE proposals SET terms = 'Net 45' WHERE id = $1", [sharedOf(companyY)]);
      });
      expect(result.rowCount).toBe(1);
    });
  });
});
