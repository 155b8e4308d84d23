import { ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

import { freePort } from './app-process';

export const PGBOUNCER_PATH = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';

export interface PgBouncer {
  port: number;
  /** Rewrites a PostgreSQL URL to go through this PgBouncer. */
  urlFor(databaseUrl: string): string;
  /** Reads a pool's figures from PgBouncer's admin console (SHOW POOLS). */
  pool(database: string, user: string): Promise<Record<string, string> | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's pgbouncer in transaction mode in front of the PostgreSQL
 * server of `databaseUrl`, with a small server pool so that transactions
 * of different tenants share server connections. PgBouncer will not run as
 * root, so as root it is started with `-u postgres`.
 */
export async function startPgBouncer(databaseUrl: string, poolSize = 4): Promise<PgBouncer> {
  const upstream = new URL(databaseUrl);
  const port = await freePort();
  const folder = await mkdtemp(join(tmpdir(), 'pgbouncer-'));
  await writeFile(join(folder, 'userlist.txt'), '"portal_app" ""\n"postgres" ""\n');
  await writeFile(
    join(folder, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(folder, 'userlist.txt')}`,
      'admin_users = postgres',
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits',
    ].join('\n'),
  );
  // The files must be readable by the postgres user the process switches to.
  await chmod(folder, 0o755);

  const args = process.getuid?.() === 0 ? ['-u', 'postgres', 'pgbouncer.ini'] : ['pgbouncer.ini'];
  const child: ChildProcess = spawn(PGBOUNCER_PATH, args, { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const urlFor = (databaseUrl: string) => {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return url.toString();
  };
  const admin = () => {
    const url = new URL(urlFor(databaseUrl));
    url.username = 'postgres';
    url.pathname = '/pgbouncer';
    return new Client({ connectionString: url.toString() });
  };

  await waitUntilListening(admin, () => child.exitCode !== null, () => log);
  return {
    port,
    urlFor,
    async pool(database, user) {
      const client = admin();
      await client.connect();
      try {
        // The admin console speaks the simple query protocol only.
        const result = await client.query({ text: 'SHOW POOLS', rowMode: 'array' } as never);
        const fields = (result as unknown as { fields: Array<{ name: string }> }).fields.map((field) => field.name);
        const rows = (result as unknown as { rows: string[][] }).rows.map((row) =>
          Object.fromEntries(row.map((value, index) => [fields[index], value])),
        );
        return rows.find((row) => row.database === database && row.user === user);
      } finally {
        await client.end();
      }
    },
    async stop() {
      child.kill('SIGINT');
      await exited;
      await rm(folder, { recursive: true, force: true });
    },
  };
}

async function waitUntilListening(admin: () => Client, hasExited: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`pgbouncer exited at start: ${log()}`);
    const client = admin();
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`pgbouncer did not accept connections within 10 s: ${log()}`);
}
