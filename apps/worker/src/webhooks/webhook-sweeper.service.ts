import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { WEBHOOK_QUEUE, WebhookJob } from '../../../../libs/queue/src/queues';
import { webhookJob } from '../../../../libs/queue/src/webhook-outbox';
import { PeriodicSweep } from '../sweeps/periodic-sweep';

const STRANDED_AFTER = '2 minutes';
const SWEEP_BATCH = 500;

/**
 * Queues pending webhook deliveries whose job never reached Redis, such as
 * when an app stopped between its commit and the queue call. A delivery
 * counts as stranded once its next attempt is two minutes overdue. The job
 * id is the delivery and its round, so a delivery whose job still exists
 * is not queued twice.
 */
@Injectable()
export class WebhookSweeper extends PeriodicSweep {
  constructor(
    private readonly db: TenantDatabase,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    logger: PinoLogger,
  ) {
    super(logger, 'webhook sweep failed');
    this.logger.setContext(WebhookSweeper.name);
  }

  /** Queues every stranded delivery of every active tenant and returns how many it queued. */
  async sweep(overdueBy = STRANDED_AFTER): Promise<number> {
    const tenants = await this.db.asResolver((db) =>
      db.execute<Array<{ id: string }>>("SELECT id FROM tenants WHERE status = 'active'"),
    );
    let queued = 0;
    for (const tenant of tenants) {
      const stranded = await this.db.asWorkerFor(tenant.id, (db) =>
        db.execute<Array<{ id: string; round: number }>>(
          `SELECT id, round FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at < now() - ?::interval
           ORDER BY next_attempt_at LIMIT ${SWEEP_BATCH}`,
          [overdueBy],
        ),
      );
      if (stranded.length === 0) continue;

      await this.queue.addBulk(
        stranded.map(({ id, round }) => webhookJob(this.config, { tenantId: tenant.id, deliveryId: id, round })),
      );
      queued += stranded.length;
      this.logger.info({ tenantId: tenant.id, count: stranded.length }, 'stranded webhook deliveries queued');
    }
    return queued;
  }
}
