import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { Transporter } from 'nodemailer';
import { Client } from 'pg';

import { EmailProcessor } from '../apps/worker/src/email/email.processor';
import { EmailSender } from '../apps/worker/src/email/email-sender.service';
import { WorkerModule } from '../apps/worker/src/worker.module';

/** Timings and memory use that the worker process reports to the mail bench at the end. */
export interface WorkerReport {
  type: 'worker-report';
  /** Milliseconds per call of EmailSender.send. */
  sendTimes: number[];
  failures: number;
  maxRssKilobytes: number;
  /** Milliseconds spent waiting for PostgreSQL query results, summed over all queries. */
  postgresMilliseconds: number;
  /** Milliseconds spent in nodemailer's sendMail, summed over all messages. */
  smtpMilliseconds: number;
}

const waits = { postgres: 0, smtp: 0 };
const sendTimes: number[] = [];

/** Calls `record` with the milliseconds until `result` settles, if it is a promise. */
function timed<T>(record: (milliseconds: number) => void, result: T): T {
  const started = performance.now();
  if (result instanceof Promise) {
    result.then(
      () => record(performance.now() - started),
      () => record(performance.now() - started),
    );
  }
  return result;
}

/**
 * Wraps EmailSender.send, pg's Client.query and the sender's nodemailer
 * transport to time each email and its waits for PostgreSQL and SMTP.
 * Only this bench process is patched.
 */
function timeSends(sender: EmailSender): void {
  const send = sender.send.bind(sender);
  sender.send = (job, maxAttempts) => timed((milliseconds) => sendTimes.push(milliseconds), send(job, maxAttempts));

  const query = Client.prototype.query as (...args: unknown[]) => unknown;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    return timed((milliseconds) => (waits.postgres += milliseconds), query.apply(this, args));
  } as typeof Client.prototype.query;

  const transport = sender['transport'] as Transporter;
  const sendMail = transport.sendMail.bind(transport);
  transport.sendMail = ((message: Parameters<Transporter['sendMail']>[0]) =>
    timed((milliseconds) => (waits.smtp += milliseconds), sendMail(message))) as Transporter['sendMail'];
}

/**
 * Starts the real worker (WorkerModule, as apps/worker/src/main.ts does)
 * for the mail bench. It skips the HTTP health listener, so no port is
 * taken. BENCH_WORKER_CONCURRENCY overrides the email processor's BullMQ
 * concurrency, to measure what a higher setting would give.
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.init();
  // Closing and exiting here, rather than dying of the signal, lets --cpu-prof write its profile.
  const close = () => void app.close().finally(() => process.exit(0));
  process.once('SIGTERM', close);
  // The bench process has exited (after Ctrl-C, for example), so this one exits too.
  process.once('disconnect', close);

  timeSends(app.get(EmailSender));
  const worker = app.get(EmailProcessor).worker;
  if (process.env.BENCH_WORKER_CONCURRENCY) worker.concurrency = Number(process.env.BENCH_WORKER_CONCURRENCY);
  let failures = 0;
  worker.on('failed', () => (failures += 1));
  await worker.waitUntilReady();

  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'report') return;
    const report: WorkerReport = {
      type: 'worker-report',
      sendTimes,
      failures,
      maxRssKilobytes: process.resourceUsage().maxRSS,
      postgresMilliseconds: waits.postgres,
      smtpMilliseconds: waits.smtp,
    };
    process.send?.(report);
  });
  process.send?.({ type: 'ready', concurrency: worker.concurrency });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
