import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { WEBHOOK_QUEUE, WebhookJob } from '../../../../libs/queue/src/queues';
import { DeliveryOutcome, WebhookSender } from './webhook-sender.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Thrown for an attempt that failed but has attempts left, so BullMQ schedules the next one with backoff. */
export class WebhookRetryError extends Error {
  constructor(deliveryId: string) {
    super(`webhook delivery ${deliveryId} failed and will be retried`);
    this.name = 'WebhookRetryError';
  }
}

@Processor(WEBHOOK_QUEUE)
export class WebhookProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly sender: WebhookSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /** Applies WEBHOOK_CONCURRENCY once the BullMQ worker exists. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WEBHOOK_CONCURRENCY;
  }

  async process(job: Job<WebhookJob>): Promise<DeliveryOutcome> {
    const { tenantId, deliveryId, round } = job.data;
    if (!UUID.test(tenantId) || !UUID.test(deliveryId) || !Number.isSafeInteger(round)) {
      throw new Error(`webhook job ${job.id} has malformed data`);
    }
    const attempts = job.opts.attempts ?? 1;
    // BullMQ's exponential backoff waits delay * 2^(attempts made - 1) after a failure.
    const baseDelay = typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 0) : 0;
    const outcome = await this.sender.deliver(
      { tenantId, deliveryId, round },
      { finalAttempt: job.attemptsMade + 1 >= attempts, retryDelayMs: baseDelay * 2 ** job.attemptsMade },
    );
    if (outcome === 'retry') throw new WebhookRetryError(deliveryId);
    return outcome;
  }
}
