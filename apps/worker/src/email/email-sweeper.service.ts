import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { EMAIL_QUEUE, EmailJob } from '../../../../libs/queue/src/queues';

/** How often the sweep runs, and how old a queued delivery must be before it counts as stranded. */
export const SWEEP_INTERVAL_MS = 60_000;
const STRANDED_AFTER = '2 minutes';
const SWEEP_BATCH = 500;

/**
 * Re-queues deliveries that were recorded but whose job never reached
 * Redis, for example when an app stopped between its commit and the queue
 * call. The job id is the delivery id, so a delivery whose job still exists
 * is not queued twice, and the sender skips anything already sent.
 */
@Injectable()
export class EmailSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly db: TenantDatabase,
    @InjectQueue(EMAIL_QUEUE) private readonly queue: Queue<EmailJob>,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(EmailSweeper.name);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepSafely(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async sweepSafely(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep();
    try {
      await this.running;
    } catch (error) {
      this.logger.error({ err: error }, 'email sweep failed');
    } finally {
      this.running = undefined;
    }
  }

  /** Queues every stranded delivery of every active tenant; returns how many it queued. */
  async sweep(olderThan = STRANDED_AFTER): Promise<number> {
    const tenants = await this.db.asResolver((db) =>
      db.execute<Array<{ id: string }>>("SELECT id FROM tenants WHERE status = 'active'"),
    );
    let queued = 0;
    for (const tenant of tenants) {
      const stranded = await this.db.asWorkerFor(tenant.id, (db) =>
        db.execute<Array<{ id: string }>>(
          `SELECT id FROM email_deliveries WHERE status = 'queued' AND created_at < now() - ?::interval
           ORDER BY created_at LIMIT ${SWEEP_BATCH}`,
          [olderThan],
        ),
      );
      if (stranded.length === 0) continue;
      await this.queue.addBulk(
        stranded.map(({ id }) => ({ name: 'send', data: { tenantId: tenant.id, deliveryId: id }, opts: { jobId: id } })),
      );
      queued += stranded.length;
      this.logger.info({ tenantId: tenant.id, count: stranded.length }, 'stranded email deliveries queued');
    }
    return queued;
  }
}
