import type { ChildProcess } from 'node:child_process';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Pool } from 'pg';

import { ConfigModule } from '../libs/config/src';
import { EmailOutbox } from '../libs/queue/src/email-outbox';
import { QueueModule, redisOptions } from '../libs/queue/src/queue.module';
import { EMAIL_QUEUE } from '../libs/queue/src/queues';
import { appUrl, nextMessage, start, stop } from './child-processes';
import type { BaselineBatch, BaselineReport } from './mail-baseline';
import { MailTenant, provisionMailTenant, recordInvitations, RecordedInvitations, recreateDatabase } from './mail-setup';
import type { WorkerReport } from './mail-worker';
import { findProblems, printResults, SenderResult } from './mail-results';
import { MessageTemplate, templateFromMessage } from './mime-parts';
import type { SinkReport } from './smtp-sink-server';

/**
 * Measures how fast the worker delivers invitation emails to an SMTP sink
 * on loopback, beside plain nodemailer sending the same message to the same
 * sink. Worker, baseline sender and sink each run in their own process.
 */
const COUNT = Number(process.env.BENCH_MAIL_COUNT ?? 10_000);
const ROUNDS = Number(process.env.BENCH_MAIL_ROUNDS ?? 4);
const ROUND_TIMEOUT_MS = 120_000;
const DATABASE_URL = process.env.BENCH_MAIL_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/portal_bench_mail';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The product's own enqueue path, EmailOutbox.dispatch, on the configured Redis. */
@Module({ imports: [ConfigModule, QueueModule.register()] })
class OutboxModule {}

/** Splits `COUNT` into `ROUNDS` consecutive ranges of nearly equal size. */
function roundRanges(): Array<{ first: number; count: number }> {
  return Array.from({ length: ROUNDS }, (_, round) => {
    const first = Math.floor((COUNT * round) / ROUNDS);
    return { first, count: Math.floor((COUNT * (round + 1)) / ROUNDS) - first };
  });
}

/** Fails when the email queue has jobs or workers already, since they would mix with the bench's. */
async function checkQueueIsFree(queue: Queue): Promise<void> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
  const pending = Object.values(counts).reduce((sum, count) => sum + count, 0);
  // CLIENT LIST names the clients of every Redis database, so only this one's count.
  const database = String(redisOptions(REDIS_URL).db);
  const workers = (await queue.getWorkers()).filter((worker) => worker.db === database);
  if (pending > 0 || workers.length > 0) {
    throw new Error(
      `the "${EMAIL_QUEUE}" queue in ${REDIS_URL} has ${pending} pending jobs and ${workers.length} connected workers, ` +
        'which would mix with the bench; set REDIS_URL to an unused Redis database such as redis://127.0.0.1:6379/6, ' +
        'or delete the keys bull:email:* there if an interrupted bench run left them',
    );
  }
}

function request<T extends { type: string }>(child: ChildProcess, message: object, replyType: T['type'], timeoutMs = 30_000): Promise<T> {
  const reply = nextMessage<T>(child, replyType, timeoutMs);
  child.send(message);
  return reply;
}

/** Tells the sink which label comes next, and resolves once it has `total` messages under that label. */
function expectMessages(sink: ChildProcess, label: string, total: number): Promise<void> {
  const reached = nextMessage(sink, 'reached', ROUND_TIMEOUT_MS);
  sink.send({ type: 'expect', label, total });
  return reached.then(
    () => undefined,
    (error: Error) => {
      throw new Error(`the sink received fewer than ${total} "${label}" messages: ${error.message}`);
    },
  );
}

interface Children {
  sink: ChildProcess;
  worker: ChildProcess;
  baseline: ChildProcess;
  /** The worker's BullMQ concurrency, which the baseline copies. */
  concurrency: number;
}

/** Starts sink, worker and baseline sender, each in its own process, and adds each to `started` for stopping. */
async function startChildren(started: ChildProcess[]): Promise<Children> {
  const sink = start('bench/smtp-sink-server.ts', [], {});
  started.push(sink);
  const { port } = await nextMessage<{ type: 'listening'; port: number }>(sink, 'listening', 30_000);
  const smtpUrl = `smtp://127.0.0.1:${port}`;

  const profileDirectory = process.env.BENCH_WORKER_CPU_PROFILE_DIR;
  const workerEnv = {
    DATABASE_URL,
    REDIS_URL,
    SMTP_URL: smtpUrl,
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-session-secret-bench-session-secret',
  };
  const worker = start('bench/mail-worker.ts', [], workerEnv, profileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : []);
  started.push(worker);
  const { concurrency } = await nextMessage<{ type: 'ready'; concurrency: number }>(worker, 'ready', 60_000);

  const baseline = start('bench/mail-baseline.ts', [smtpUrl, String(concurrency)], {});
  started.push(baseline);
  await nextMessage(baseline, 'ready', 30_000);
  return { sink, worker, baseline, concurrency };
}

/**
 * Sends the invitations in alternating rounds: the worker's share of a
 * round, then as many baseline messages. The worker's time runs from the
 * dispatch of its jobs until the sink has received them all.
 */
async function measure(
  invitations: RecordedInvitations,
  tenant: MailTenant,
  outbox: EmailOutbox,
  children: Children,
): Promise<{ worker: SenderResult; baseline: SenderResult }> {
  const { sink, worker, baseline } = children;
  let workerSeconds = 0;
  let enqueueSeconds = 0;
  let baselineSeconds = 0;
  let template: MessageTemplate | undefined;

  for (const { first, count } of roundRanges()) {
    const workerDone = expectMessages(sink, 'worker', first + count);
    // Awaited below; this only keeps a failed dispatch from leaving it unhandled.
    workerDone.catch(() => undefined);
    const workerStarted = performance.now();
    await outbox.dispatch(tenant.tenantId, invitations.deliveryIds.slice(first, first + count));
    enqueueSeconds += (performance.now() - workerStarted) / 1000;
    await workerDone;
    workerSeconds += (performance.now() - workerStarted) / 1000;

    // The baseline sends the worker's first message again, so both send the same bytes.
    template ??= templateFromMessage((await request<SinkReport>(sink, { type: 'report', label: 'worker' }, 'report')).firstMessage);
    const baselineDone = expectMessages(sink, 'baseline', first + count);
    const baselineStarted = performance.now();
    const batch: BaselineBatch = { type: 'send', first, count, template };
    await Promise.all([baselineDone, request(baseline, batch, 'batch-done', ROUND_TIMEOUT_MS)]);
    baselineSeconds += (performance.now() - baselineStarted) / 1000;
  }

  const workerReport = await request<WorkerReport>(worker, { type: 'report' }, 'worker-report');
  const baselineReport = await request<BaselineReport>(baseline, { type: 'report' }, 'baseline-report');
  return {
    worker: {
      seconds: workerSeconds,
      enqueueSeconds,
      sendTimes: workerReport.sendTimes,
      failures: workerReport.failures,
      maxRssKilobytes: workerReport.maxRssKilobytes,
      sink: await request<SinkReport>(sink, { type: 'report', label: 'worker' }, 'report'),
      waits: { postgresMilliseconds: workerReport.postgresMilliseconds, smtpMilliseconds: workerReport.smtpMilliseconds },
    },
    baseline: {
      seconds: baselineSeconds,
      enqueueSeconds: 0,
      sendTimes: baselineReport.sendTimes,
      failures: baselineReport.failures,
      maxRssKilobytes: baselineReport.maxRssKilobytes,
      sink: await request<SinkReport>(sink, { type: 'report', label: 'baseline' }, 'report'),
    },
  };
}

/** Runs the invitation email benchmark, checks every delivery and prints its table. */
export async function runMailBench(): Promise<void> {
  await recreateDatabase(DATABASE_URL);
  const admin = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const app = new Pool({ connectionString: appUrl(DATABASE_URL), max: 4 });
  const tenant = await provisionMailTenant(admin);
  const recordStarted = performance.now();
  const invitations = await recordInvitations(app, tenant, COUNT);
  const recordSeconds = (performance.now() - recordStarted) / 1000;
  await app.end();

  const context = await NestFactory.createApplicationContext(OutboxModule, { logger: false });
  const queue = context.get<Queue>(getQueueToken(EMAIL_QUEUE));
  const started: ChildProcess[] = [];
  let queueIsOurs = false;
  try {
    await checkQueueIsFree(queue);
    queueIsOurs = true;
    const children = await startChildren(started);
    const senders = await measure(invitations, tenant, context.get(EmailOutbox), children);
    const results = { ...senders, count: COUNT, rounds: ROUNDS, concurrency: children.concurrency, recordSeconds };
    const problems = await findProblems(admin, tenant, invitations, results);
    if (problems.length > 0) throw new Error(`mail bench verification failed:\n- ${problems.join('\n- ')}`);
    printResults(results);
  } finally {
    await Promise.all(started.map(stop));
    // After a failed run, jobs the worker never took would stay queued for the next run.
    if (queueIsOurs) await queue.drain(true);
    await context.close();
    await admin.end();
  }
}
