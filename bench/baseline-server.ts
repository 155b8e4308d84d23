import { createServer } from 'node:http';
import { Pool } from 'pg';

import '../libs/db/src/pg-types';
import { dateInZone } from '../libs/locale/src';
import { invoicesKind } from '../libs/records/src/kinds/invoices.kind';
import { buildListQuery } from '../libs/records/src/list-query';

/**
 * The floor the portal is measured against: node:http and pg with nothing
 * else. Each request runs the portal's own invoice list SQL in the same
 * row-level security transaction (BEGIN, set role and settings, query,
 * COMMIT) and writes a bare HTML table. It skips sessions, routing, CSRF,
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
    let index = 0;
    const numbered = sql.replace(/\?/g, () => `$${++index}`);
    await client.query('BEGIN');
    await client.query(
      `SELECT set_config('role', 'portal_customer', true), set_config('app.tenant_id', $1, true),
              set_config('app.company_id', $2, true), set_config('app.user_id', $3, true)`,
      [tenantId, companyId, userId],
    );
    const result = await client.query(numbered, params);
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
