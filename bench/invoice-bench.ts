import { request } from 'node:http';
import { Pool } from 'pg';

import '../libs/db/src/pg-types';
import { migrate } from '../libs/db/src/migrator';
import { applyManifest } from '../libs/provisioning/src/apply-manifest';
import { validateManifest } from '../libs/provisioning/src/manifest-loader';
import { companyManifest } from '../test/support/fixtures';
import { appUrl, start, stop } from './child-processes';
import { LoadResult, runLoad } from './load';

/**
 * Measures the authenticated invoice list page of the portal beside a bare
 * node:http + pg server that runs the same SQL in the same row-level security
 * transaction, both started here, one after the other, on this machine.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const ROUNDS = 5;
const INVOICES = 20_000;
const POOL_SIZE = 10;
const PASSWORD = 'bench-password-123';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/portal_bench';
const PORTAL_PORT = 4310;
const BASELINE_PORT = 4311;

async function prepare(pool: Pool) {
  const slug = 'bench-tenant';
  const company = companyManifest('bench-c1', 'bench@bench.example');
  company.portal_users[0].password = PASSWORD;
  const manifest = validateManifest({
    slug,
    name: 'Bench Tenant',
    locale: 'en-US',
    time_zone: 'America/Chicago',
    currency: 'USD',
    branding: { company_name: 'Bench Tenant', primary_color: '#123456', accent_color: '#abcdef' },
    customer_companies: [company],
  });
  const { tenantId } = await applyManifest(pool, { manifest, logo: null });
  const ids = await pool.query<{ company_id: string; user_id: string }>(
    'SELECT company_id, id AS user_id FROM portal_users WHERE tenant_id = $1',
    [tenantId],
  );
  const { company_id: companyId, user_id: userId } = ids.rows[0];
  await pool.query(
    `INSERT INTO invoices (tenant_id, company_id, external_id, number, issued_on, due_on, currency,
        subtotal_minor, total_minor, status, shared_at)
     SELECT $1, $2, 'bench-' || n, 'B-' || n, current_date - (n % 900), current_date - (n % 900) + 30, 'USD',
        10000 + n, 10000 + n, CASE WHEN n % 3 = 0 THEN 'paid' ELSE 'open' END, now()
     FROM generate_series(1, $3) AS n
     ON CONFLICT (tenant_id, external_id) DO NOTHING`,
    [tenantId, companyId, INVOICES],
  );
  await pool.query('ANALYZE invoices');
  return { slug, tenantId, companyId, userId };
}

async function waitForHttp(port: number, host: string, path: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host }, setHost: false }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`server on port ${port} did not start within 30 seconds`);
}

/** Signs in through the real login form and returns the session cookie. */
async function login(port: number, host: string): Promise<string> {
  const send = (method: string, path: string, cookie: string, body?: string) =>
    new Promise<{ cookie: string; text: string; status: number }>((resolve, reject) => {
      const headers: Record<string, string> = { host, cookie };
      if (body) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = request({ host: '127.0.0.1', port, path, method, headers, setHost: false }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie']?.[0]?.split(';')[0];
          resolve({ cookie: setCookie ?? cookie, text, status: res.statusCode ?? 0 });
        });
      });
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });

  const page = await send('GET', '/login', '');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const form = new URLSearchParams({ _csrf: token, email: 'bench@bench.example', password: PASSWORD, next: '/' });
  const result = await send('POST', '/login', page.cookie, form.toString());
  if (result.status !== 303) throw new Error(`bench login failed with status ${result.status}`);
  return result.cookie;
}

/**
 * Measures both servers in alternating short rounds, so a slow spell of the
 * machine hits both alike instead of whichever happened to run then.
 */
async function measureAlternating(
  targets: Array<{ port: number; headers: Record<string, string> }>,
  host: string,
): Promise<LoadResult[]> {
  const base = { host, path: '/invoices', connections: CONNECTIONS };
  for (const target of targets) await runLoad({ ...base, ...target, seconds: WARMUP_SECONDS });

  const rounds: LoadResult[][] = targets.map(() => []);
  const roundSeconds = SECONDS / ROUNDS;
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [index, target] of targets.entries()) {
      rounds[index].push(await runLoad({ ...base, ...target, seconds: roundSeconds }));
    }
  }
  return rounds.map(combine);
}

/** Merges rounds: throughput over the total time, percentiles over all samples. */
function combine(results: LoadResult[]): LoadResult {
  const latencies = results.flatMap((result) => result.latencies).sort((left, right) => left - right);
  const seconds = results.reduce((sum, result) => sum + result.seconds, 0);
  const at = (fraction: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))];
  return {
    requests: latencies.length,
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    seconds,
    requestsPerSecond: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    latencies,
  };
}

/** Runs the invoice list benchmark and prints its table. */
export async function runInvoiceBench(): Promise<void> {
  await migrate(DATABASE_URL);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const bench = await prepare(pool);
  await pool.end();
  const host = `${bench.slug}.localhost`;

  const portal = start('apps/portal/src/main.ts', [], {
    DATABASE_URL,
    PORTAL_PORT: String(PORTAL_PORT),
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    LOGIN_MAX_ATTEMPTS: '1000',
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-session-secret-bench-session-secret',
    COOKIE_SECURE: 'false',
    LISTEN_HOST: '127.0.0.1',
  });
  const baseline = start(
    'bench/baseline-server.ts',
    [String(BASELINE_PORT), appUrl(DATABASE_URL), bench.tenantId, bench.companyId, bench.userId, String(POOL_SIZE)],
    {},
  );
  let portalResult: LoadResult;
  let baselineResult: LoadResult;
  try {
    await waitForHttp(PORTAL_PORT, host, '/login');
    await waitForHttp(BASELINE_PORT, host, '/');
    const cookie = await login(PORTAL_PORT, host);
    [portalResult, baselineResult] = await measureAlternating(
      [
        { port: PORTAL_PORT, headers: { cookie } },
        { port: BASELINE_PORT, headers: {} },
      ],
      host,
    );
  } finally {
    await Promise.all([stop(portal), stop(baseline)]);
  }

  const row = (name: string, result: LoadResult) =>
    `${name.padEnd(34)} ${result.requestsPerSecond.toFixed(0).padStart(8)} ${result.p50.toFixed(2).padStart(8)} ${result.p99
      .toFixed(2)
      .padStart(8)} ${String(result.errors).padStart(7)}`;
  console.log(
    `\nInvoice list, first page of ${INVOICES} invoices, ${CONNECTIONS} connections, ${SECONDS} s each in ${ROUNDS} alternating rounds`,
  );
  console.log(`${'server'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`);
  console.log(row('portal (Nest, session, templates)', portalResult));
  console.log(row('baseline (node:http + pg)', baselineResult));
  const ratio = portalResult.requestsPerSecond / baselineResult.requestsPerSecond;
  console.log(`portal throughput is ${(ratio * 100).toFixed(0)}% of the baseline (target: at least 50%); p99 target: under 50 ms`);
}
