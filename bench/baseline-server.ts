import { createServer } from 'node:http';
import { Pool } from 'pg';

import '../libs/db/src/pg-types';
import { numberPlaceholders } from '../libs/db/src/sql-executor';
import { beginStatement } from '../libs/db/src/tenant-database';
import { dateInZone } from '../libs/locale/src';
import { invoicesKind } from '../libs/records/src/kinds/invoices.kind';
import { buildListQuery } from '../libs/records/src/list-query';

/**
 * The floor the portal is measured against: node:http and pg with nothing
 * else. Each request sends the portal's own statements: the same opening
 * statement (BEGIN with the role and settings), the same invoice list SQL
 * and COMMIT, then writes a bare HTML table. It skips sessions, routing, CSRF,
 * templates and logging, which is the cost the comparison shows.
 */
const [port, databaseUrl, tenantId, companyId, userId, poolSize] = process.argv.slice(2);
const pool = new Pool({ connectionString: databaseUrl, max: Number(poolSize) });

const escape = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const server = createServer(async (_req, res) => {
  const client = await pool.connect();
  try {
    const { sql, params } = buildListQuery(invoicesKind, {
      filter: null,
      cursor: null,
      backwards: false,
      today: dateInZone(new Date(), 'America/Chicago'),
    });
    // The same opening round trip as the portal: settings plus the check that the user is active.
    await client.query(
      `${beginStatement('portal_customer', { tenantId, companyId, userId })}; SELECT 1 FROM portal_users WHERE id = '${userId}' AND company_id = '${companyId}' AND status = 'active'`,
    );
    const result = await client.query(numberPlaceholders(sql), params);
    await client.query('COMMIT');
    const rows = result.rows
      .slice(0, 25)
      .map((row) => `<tr><td>${escape(row.number)}</td><td>${escape(row.issued_on)}</td><td>${escape(row.total_minor)}</td></tr>`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><table>${rows}</table>`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    res.writeHead(500);
    res.end(String(error));
  } finally {
    client.release();
  }
});

server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
