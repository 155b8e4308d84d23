import { Client } from 'pg';

import { migrate } from '../libs/db/src/migrator';

/**
 * Creates a fresh database for this run and migrates it. Suites then create
 * their own tenants in it, so they never depend on each other's rows.
 */
export default async function globalSetup(): Promise<void> {
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/portal_test');
  const name = base.pathname.slice(1);
  const admin = new URL(base.toString());
  admin.pathname = '/postgres';

  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await migrate(base.toString());

  process.env.NODE_ENV = 'test';
  process.env.DATABASE_URL = base.toString();
  process.env.LOG_LEVEL ??= 'silent';
}
