import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';

import { EMAIL_QUEUE, EmailJob } from '../../../../libs/queue/src/queues';
import { EmailSender, SendOutcome } from './email-sender.service';

@Processor(EMAIL_QUEUE)
export class EmailProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly sender: EmailSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /** Applies EMAIL_CONCURRENCY once the BullMQ worker exists; most of a send is waiting on SMTP and PostgreSQL. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.EMAIL_CONCURRENCY;
  }

  /** Lets the jobs in progress finish (BullMQ's close waits for them), then closes the SMTP pool. */
  async onApplicationShutdown(): Promise<void> {
    await this.worker.close();
    this.sender.close();
  }

  process(job: Job<EmailJob>): Promise<SendOutcome> {
    return this.sender.send(job.data);
  }
}
