import { Pool, PoolClient } from 'pg';

export interface RoleSettings {
  tenantId?: string;
  companyId?: string;
  userId?: string;
}

/**
 * Runs `work` in a transaction as `role` with the given transaction-local
 * settings, then rolls back so a test never leaves rows behind.
 */
export async function asRole<T>(
  pool: Pool,
  role: string,
  settings: RoleSettings,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true),
              set_config('app.company_id', $3, true), set_config('app.user_id', $4, true)`,
      [role, settings.tenantId ?? '', settings.companyId ?? '', settings.userId ?? ''],
    );
    return await work(client);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** Lists every table of the schema except the migration log. */
export async function tenantTables(pool: Pool): Promise<string[]> {
  const result = await pool.query<{ relname: string }>(
    `SELECT relname FROM pg_class
     WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND relname <> 'schema_migrations'
     ORDER BY relname`,
  );
  return result.rows.map((row) => row.relname);
}

export async function columnsOf(pool: Pool, table: string): Promise<Set<string>> {
  const result = await pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
    [table],
  );
  return new Set(result.rows.map((row) => row.column_name));
}
