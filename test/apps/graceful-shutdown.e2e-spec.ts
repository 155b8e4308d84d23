import type { ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';

import { redisOptions } from '../../libs/queue/src/queue.module';
import { EMAIL_QUEUE, EmailJob } from '../../libs/queue/src/queues';
import { startAppProcess, stopAppProcess } from '../support/app-process';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { csrfFrom } from '../support/portal-harness';
import { ReceivedMail, smtpUrlOf, startSmtpSink } from '../support/smtp-sink';

const SHUTDOWN_LIMIT_MS = 30_000;

interface Outcome {
  status?: number;
  error?: string;
}

/** Sends one request on its own connection and reports the status or the socket error. */
function send(port: number, host: string, path: string, options: { method?: string; body?: string; cookie?: string } = {}): Promise<Outcome & { body?: string; cookie?: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { host };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, setHost: false, agent: new Agent({ keepAlive: false }) },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }));
        res.on('error', (error) => resolve({ error: error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; afterMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, afterMs: Date.now() - started })));
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('SIGTERM under load', () => {
  let admin: Pool;
  let tenant: TestTenant;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'sigterm');
  }, 60_000);

  afterAll(async () => {
    await admin.end();
  });

  it('portal finishes every request in flight, then exits', async () => {
    const { child, port } = await startAppProcess('portal', {
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_LIMIT_MS),
      SHUTDOWN_DRAIN_DELAY_MS: '1000',
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000',
      LOGIN_MAX_ATTEMPTS: '10000',
    });
    try {
      const host = `${tenant.slug}.localhost`;
      // Each sign-in hashes a password, so two dozen keep the process busy for a while.
      const forms = await Promise.all(
        Array.from({ length: 24 }, async () => {
          const page = await send(port, host, '/login');
          return { cookie: page.cookie!, csrf: csrfFrom(page.body!) };
        }),
      );
      const body = (csrf: string) => new URLSearchParams({ _csrf: csrf, email: tenant.companies[0].email, password: TEST_PASSWORD, next: '/' }).toString();
      const exited = exitOf(child);
      const logins = forms.map((form) => send(port, host, '/login', { method: 'POST', body: body(form.csrf), cookie: form.cookie }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const readiness = await send(port, host, '/health/ready');
      expect(readiness.status).toBe(503);
      expect(readiness.body).toContain('shutting_down');
      // An impatient second signal does not cut the requests off.
      child.kill('SIGTERM');

      const outcomes = await Promise.all(logins);
      expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
      expect(outcomes.every((outcome) => outcome.status === 303)).toBe(true);
      const { code, afterMs } = await exited;
      expect(code).toBe(0);
      expect(afterMs).toBeLessThan(SHUTDOWN_LIMIT_MS);

      // Once stopped, the port refuses connections instead of resetting them.
      expect((await send(port, host, '/login')).error).toBe('ECONNREFUSED');
    } finally {
      await stopAppProcess(child);
    }
  }, 60_000);

  it('worker finishes its running jobs, and the rest wait for the next worker', async () => {
    const sink: ReceivedMail[] = [];
    const mine = () => sink.filter((mail) => mail.to.every((to) => to.endsWith('@sigterm.example')));
    const smtp: SMTPServer = await startSmtpSink(sink, 100);
    const queue = new Queue<EmailJob>(EMAIL_QUEUE, { connection: redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') });
    const env = { SMTP_URL: smtpUrlOf(smtp), EMAIL_CONCURRENCY: '4', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_LIMIT_MS), SHUTDOWN_DRAIN_DELAY_MS: '0' };
    let worker: ChildProcess | undefined;
    try {
      const created = await admin.query<{ id: string }>(
        `INSERT INTO email_deliveries (tenant_id, kind, recipient)
         SELECT $1, 'branding_test', 'staff-' || n || '@sigterm.example' FROM generate_series(1, 40) n RETURNING id`,
        [tenant.tenantId],
      );
      await queue.addBulk(
        created.rows.map((row) => ({ name: 'send', data: { tenantId: tenant.tenantId, deliveryId: row.id }, opts: { jobId: row.id } })),
      );

      ({ child: worker } = await startAppProcess('worker', env));
      await waitUntil(() => mine().length >= 8, 30_000, 'the first emails');
      const exited = exitOf(worker);
      worker.kill('SIGTERM');
      const { code, afterMs } = await exited;
      expect(code).toBe(0);
      expect(afterMs).toBeLessThan(SHUTDOWN_LIMIT_MS);

      const afterStop = mine().length;
      expect(afterStop).toBeLessThan(40);
      const sentRows = await admin.query("SELECT count(*)::int AS count FROM email_deliveries WHERE id = ANY ($1) AND status = 'sent'", [
        created.rows.map((row) => row.id),
      ]);
      // Every message the SMTP server accepted was also marked sent: no job was cut off halfway.
      expect(sentRows.rows[0].count).toBe(afterStop);

      ({ child: worker } = await startAppProcess('worker', env));
      await waitUntil(() => mine().length >= 40, 60_000, 'the remaining emails');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const recipients = mine().flatMap((mail) => mail.to);
      expect(recipients).toHaveLength(40);
      expect(new Set(recipients).size).toBe(40);
    } finally {
      await stopAppProcess(worker);
      await queue.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  }, 120_000);
});
