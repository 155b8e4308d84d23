import { ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Pool } from 'pg';

import { USER_DATA_DIR_PREFIX } from '../../apps/worker/src/pdf/chromium-host';
import { ConfigModule } from '../../libs/config/src';
import { executorFor } from '../../libs/db/src/sql-executor';
import { DocumentRequest, prepareDocument } from '../../libs/documents/src/prepared-document';
import { QueueModule, redisOptions } from '../../libs/queue/src/queue.module';
import { DOCUMENT_QUEUE, DocumentJob } from '../../libs/queue/src/queues';
import { startAppProcess } from '../support/app-process';
import { adminPool, appPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { asRole } from '../support/roles';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const DOCUMENTS = 200;
/** PDFs that must be stored before the worker is killed. */
const STORED_BEFORE_KILL = 20;
/** Short lock and stalled-check times, so the restarted worker takes over the killed worker's job within seconds. */
const LOCK_DURATION_MS = 3000;
const STALLED_INTERVAL_MS = 1000;

/** The product's queue registration, so jobs get the same default options as the portal's and console's. */
@Module({ imports: [ConfigModule, QueueModule.register()] })
class DocumentQueueModule {}

interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** One letter, such as R (running), S (sleeping) or Z (exited, waiting to be reaped by its parent). */
  state: string;
  args: string;
}

/** Reads every process from /proc. Processes that exit while it reads are skipped. */
async function listProcesses(): Promise<ProcessEntry[]> {
  const entries: ProcessEntry[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name in brackets may contain spaces, so the fields are counted from the last ")".
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0').join(' ').trim();
      entries.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgid), state, args });
    } catch {
      continue;
    }
  }
  return entries;
}

/**
 * Lists the live Chromium processes that belong to this test. Those are
 * processes whose command line names a profile folder under `tempFolder`,
 * members of the process groups in `groups`, and Chromium processes whose
 * parent is this Jest process. puppeteer starts each browser as a group
 * leader. Zombies have exited already, so they do not count.
 */
async function chromiumProcessesOf(tempFolder: string, groups: Set<number>): Promise<ProcessEntry[]> {
  const profileFlag = `--user-data-dir=${join(tempFolder, USER_DATA_DIR_PREFIX)}`;
  return (await listProcesses()).filter(
    (entry) =>
      entry.state !== 'Z' &&
      (entry.args.includes(profileFlag) || groups.has(entry.pgid) || (entry.ppid === process.pid && entry.args.includes('chromium'))),
  );
}

/** Waits until none of this test's Chromium processes runs, and fails naming the ones still running after `timeoutMs`. */
async function waitForChromiumExit(tempFolder: string, groups: Set<number>, timeoutMs: number, owner: string): Promise<void> {
  let left: ProcessEntry[] = [];
  await waitFor(
    async () => (left = await chromiumProcessesOf(tempFolder, groups)).length === 0,
    timeoutMs,
    () => `${owner} Chromium processes to exit; still running: ${left.map((entry) => `${entry.pid} (${entry.state}) ${entry.args.slice(0, 80)}`).join('; ')}`,
  );
}

/** Lists every file under `root` as a path relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends SIGTERM and resolves with how the process ended, or rejects if it is still running after `timeoutMs`. */
function terminate(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker did not exit within ${timeoutMs / 1000} s of SIGTERM and was killed`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? `exit code ${code}`);
    });
    child.kill('SIGTERM');
  });
}

async function startsWithPdfHeader(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(5), 0, 5, 0);
    return bytesRead === 5 && buffer.toString('latin1') === '%PDF-';
  } finally {
    await handle.close();
  }
}

const describeWithChromium = existsSync(CHROMIUM) ? describe : describe.skip;

describeWithChromium('worker killed with SIGKILL during a render batch', () => {
  let admin: Pool;
  let app: Pool;
  let tenant: TestTenant;
  let context: INestApplicationContext;
  let queue: Queue<DocumentJob>;
  let folder: string;
  let storageRoot: string;
  let workerTemp: string;
  let workerEnv: NodeJS.ProcessEnv;
  let worker: ChildProcess | undefined;
  const documents: Array<{ request: DocumentRequest; key: string; jobId: string }> = [];

  /** Creates DOCUMENTS shared invoices for the company, copied from its fixture invoice, each with a different line. */
  async function createInvoices(companyKey: string): Promise<string[]> {
    const result = await admin.query<{ id: string }>(
      `WITH source AS (
         SELECT * FROM invoices WHERE tenant_id = $1 AND external_id = $2
       ), created AS (
         INSERT INTO invoices (tenant_id, company_id, site_id, external_id, number, issued_on, due_on, currency,
             subtotal_minor, tax_minor, total_minor, amount_paid_minor, status, shared_at)
         SELECT s.tenant_id, s.company_id, s.site_id, $3 || '-batch-' || n, $3 || '-B-' || n, s.issued_on, s.due_on,
             s.currency, 1000 + n, 0, 1000 + n, 0, 'open', now()
         FROM source s, generate_series(1, $4::int) AS n
         RETURNING tenant_id, company_id, id, number, total_minor
       )
       INSERT INTO invoice_lines (tenant_id, company_id, invoice_id, position, description, quantity, unit_price_minor, amount_minor)
       SELECT tenant_id, company_id, id, 1, 'Quarterly sprinkler inspection, ' || number, 1, total_minor, total_minor
       FROM created
       RETURNING invoice_id AS id`,
      [tenant.tenantId, `${companyKey}-inv-s`, companyKey, DOCUMENTS],
    );
    return result.rows.map((row) => row.id);
  }

  /** Counts the stored PDFs, leaving out metadata and temporary files. */
  async function storedPdfCount(): Promise<number> {
    return (await filesUnder(storageRoot)).filter((file) => file.endsWith('.pdf')).length;
  }

  beforeAll(async () => {
    admin = adminPool();
    app = appPool();
    tenant = await provisionTestTenant(admin, 'crash', 1);
    const companyKey = tenant.companies[0].key;
    const company = await admin.query<{ id: string }>('SELECT id FROM customer_companies WHERE tenant_id = $1 AND external_id = $2', [
      tenant.tenantId,
      companyKey,
    ]);
    const companyId = company.rows[0].id;
    const invoiceIds = await createInvoices(companyKey);

    // Keys come from prepareDocument under the company's customer role, as the portal and console compute them.
    await asRole(app, 'portal_customer', { tenantId: tenant.tenantId, companyId }, async (client) => {
      for (const recordId of invoiceIds) {
        const request: DocumentRequest = { tenantId: tenant.tenantId, companyId, kind: 'invoice', recordId };
        const prepared = await prepareDocument(executorFor(client), request);
        if (!prepared) throw new Error(`invoice ${recordId} is not visible to its company`);
        documents.push({ request, key: prepared.key, jobId: prepared.jobId });
      }
    });

    folder = await mkdtemp(join(tmpdir(), 'render-crash-'));
    storageRoot = join(folder, 'storage');
    // The worker's own temp folder contains its Chromium profiles, so other test runs' browsers never match.
    workerTemp = join(folder, 'tmp');
    await mkdir(workerTemp);
    workerEnv = {
      STORAGE_LOCAL_DIR: storageRoot,
      TMPDIR: workerTemp,
      DOCUMENT_LOCK_DURATION_MS: String(LOCK_DURATION_MS),
      DOCUMENT_STALLED_INTERVAL_MS: String(STALLED_INTERVAL_MS),
    };

    context = await NestFactory.createApplicationContext(DocumentQueueModule, { logger: false });
    queue = context.get<Queue<DocumentJob>>(getQueueToken(DOCUMENT_QUEUE));
    const database = String(redisOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').db);
    const otherWorkers = (await queue.getWorkers()).filter((client) => client.db === database);
    if (otherWorkers.length > 0) {
      throw new Error(
        `${otherWorkers.length} workers already consume the "${DOCUMENT_QUEUE}" queue on this Redis database and would take this test's jobs; ` +
          'stop them or set REDIS_URL to an unused database such as redis://127.0.0.1:6379/14',
      );
    }
  }, 60_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    if (queue) {
      for (const { jobId } of documents) await (await queue.getJob(jobId))?.remove().catch(() => undefined);
    }
    await context?.close();
    await admin?.end();
    await app?.end();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('has one distinct key per document', () => {
    expect(documents).toHaveLength(DOCUMENTS);
    expect(new Set(documents.map((document) => document.key)).size).toBe(DOCUMENTS);
  });

  it("takes the killed worker's Chromium down with it", async () => {
    await queue.addBulk(documents.map(({ request, jobId }) => ({ name: 'render', data: request, opts: { jobId } })));
    worker = (await startAppProcess('worker', workerEnv)).child;

    // Polled often, so the kill lands soon after a put finished, while the next document renders.
    await waitFor(async () => (await storedPdfCount()) >= STORED_BEFORE_KILL, 60_000, () => `${STORED_BEFORE_KILL} stored PDFs`);
    const browsers = await chromiumProcessesOf(workerTemp, new Set());
    worker.kill('SIGKILL');
    const killed = worker;
    await new Promise((resolve) => (killed.exitCode !== null || killed.signalCode !== null ? resolve(null) : killed.once('exit', resolve)));

    expect(browsers.length).toBeGreaterThan(0);
    expect(await storedPdfCount()).toBeLessThan(DOCUMENTS);
    // Chromium reads its DevTools pipe from the worker, and shuts down when that pipe closes.
    await waitForChromiumExit(workerTemp, new Set(browsers.map((entry) => entry.pgid)), 15_000, "the killed worker's");
  }, 90_000);

  it('stores every document once after a restart', async () => {
    worker = (await startAppProcess('worker', workerEnv)).child;
    const expected = new Set(documents.map((document) => document.key));
    let storedKeys: string[] = [];
    await waitFor(
      async () => {
        storedKeys = (await filesUnder(storageRoot)).filter((file) => file.endsWith('.pdf'));
        return storedKeys.length >= DOCUMENTS;
      },
      // About 60 s on a 2-core VM, where the worker renders one document at a time.
      100_000,
      () => `all ${DOCUMENTS} PDFs; ${storedKeys.length} are stored`,
    );
    const states = new Map<string, string>();
    await waitFor(
      async () => {
        for (const { jobId } of documents) states.set(jobId, (await queue.getJobState(jobId)) as string);
        return [...states.values()].every((state) => state === 'completed');
      },
      15_000,
      () => `every render job to complete; states: ${JSON.stringify(Object.fromEntries([...states].filter(([, state]) => state !== 'completed')))}`,
    );

    const files = await filesUnder(storageRoot);
    const pdfs = files.filter((file) => file.endsWith('.pdf'));
    const metadata = files.filter((file) => file.endsWith('.pdf.meta.json'));
    const others = files.filter((file) => !file.endsWith('.pdf') && !file.endsWith('.pdf.meta.json'));
    expect(pdfs.sort()).toEqual([...expected].sort());
    expect(metadata).toHaveLength(DOCUMENTS);
    // NOTE: a kill inside LocalStorage.put would leave its temporary file here, and nothing removes those later.
    expect(others).toEqual([]);

    const outcomes: Record<string, number> = {};
    for (const { jobId } of documents) {
      const outcome = String((await queue.getJob(jobId))?.returnvalue);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    expect(Object.keys(outcomes).filter((outcome) => outcome !== 'rendered' && outcome !== 'already-stored')).toEqual([]);

    const notPdf: string[] = [];
    for (const file of pdfs) if (!(await startsWithPdfHeader(join(storageRoot, file)))) notPdf.push(file);
    expect(notPdf).toEqual([]);
    const sample = pdfs.filter((_, index) => index % 20 === 0);
    for (const file of sample) await expect(run('qpdf', ['--check', join(storageRoot, file)])).resolves.toBeDefined();
  }, 130_000);

  it('leaves no Chromium or profile behind after SIGTERM', async () => {
    const running = worker!;
    const groups = new Set((await chromiumProcessesOf(workerTemp, new Set())).map((entry) => entry.pgid));

    // The worker handles SIGTERM itself: it finishes its jobs, closes Chromium and exits 0.
    expect(await terminate(running, 20_000)).toBe('exit code 0');
    // The worker waits for the browser process itself; its helper processes finish exiting a moment later.
    await waitForChromiumExit(workerTemp, groups, 5_000, "the stopped worker's");
    expect((await readdir(workerTemp)).filter((name) => name.startsWith(USER_DATA_DIR_PREFIX))).toEqual([]);
  }, 30_000);
});
