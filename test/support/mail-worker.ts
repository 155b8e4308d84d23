import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { ReceivedMail, smtpUrlOf, startSmtpSink } from './smtp-sink';

export interface MailWorker {
  /** Every message the SMTP sink has accepted, in order. */
  received: ReceivedMail[];
  worker: INestApplication;
  stop(): Promise<void>;
}

/**
 * Starts an SMTP sink and the real worker module sending to it. `env` sets
 * further variables for the worker's configuration, which it reads once at
 * start; stop() removes them again.
 */
export async function startMailWorker(env: Record<string, string> = {}): Promise<MailWorker> {
  const received: ReceivedMail[] = [];
  const smtp = await startSmtpSink(received);
  const variables: Record<string, string> = { SMTP_URL: smtpUrlOf(smtp), ...env };
  Object.assign(process.env, variables);
  const worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
  await worker.init();
  return {
    received,
    worker,
    async stop() {
      await worker.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      for (const name of Object.keys(variables)) delete process.env[name];
    },
  };
}
