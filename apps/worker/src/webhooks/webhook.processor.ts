import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { WEBHOOK_QUEUE, WebhookJob } from '../../../../libs/queue/src/queues';
import { DeliveryOutcome, WebhookSender } from './webhook-sender.service';
import { WebhookSlots } from './webhook-slots';

/** Wait before a job whose tenant has every send slot in use is tried again; the random part spreads the retries. */
const TENANT_BUSY_DELAY_MS = 250;
const TENANT_BUSY_JITTER_MS = 250;

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
    private readonly slots: WebhookSlots,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    super();
    this.logger.setContext(WebhookProcessor.name);
  }

  /** Applies WEBHOOK_CONCURRENCY once the BullMQ worker exists. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WEBHOOK_CONCURRENCY;
  }

  /**
   * Sends the delivery once the tenant has a free send slot. Without one, the
   * job goes back to the delayed set, which costs no attempt, and this
   * worker's slot goes to the next job, often another tenant's.
   */
  async process(job: Job<WebhookJob>, token?: string): Promise<DeliveryOutcome> {
    const { tenantId, deliveryId, round } = job.data;
    if (!UUID.test(tenantId) || !UUID.test(deliveryId) || !Number.isSafeInteger(round)) {
      throw new Error(`webhook job ${job.id} has malformed data`);
    }
    const slot = await this.slots.acquireTenantSlot(tenantId);
    if (!slot) {
      this.logger.debug({ tenantId, deliveryId, jobId: job.id }, 'tenant at its webhook concurrency limit; job delayed');
      await job.moveToDelayed(Date.now() + TENANT_BUSY_DELAY_MS + Math.random() * TENANT_BUSY_JITTER_MS, token);
      throw new DelayedError();
    }
    try {
      return await this.send(job);
    } finally {
      await slot.release();
    }
  }

  private async send(job: Job<WebhookJob>): Promise<DeliveryOutcome> {
    const { tenantId, deliveryId, round } = job.data;
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
