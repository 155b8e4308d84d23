import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { EMAIL_QUEUE, EmailJob, USER_IMPORT_QUEUE, UserImportJob } from '../../../../libs/queue/src/queues';
import { PeriodicSweep } from '../sweeps/periodic-sweep';

/** Age after which a queued delivery counts as stranded. */
const STRANDED_AFTER = '2 minutes';
const SWEEP_BATCH = 500;

/**
 * Re-queues work that was recorded but whose job never reached Redis, for
 * example when an app stopped between its commit and the queue call:
 * queued email deliveries and unfinished user imports. Job ids are the row
 * ids, so a row whose job still exists is not queued twice, the sender
 * skips anything already sent, and an import resumes from its pending rows.
 */
@Injectable()
export class EmailSweeper extends PeriodicSweep {
  constructor(
    private readonly db: TenantDatabase,
    @InjectQueue(EMAIL_QUEUE) private readonly queue: Queue<EmailJob>,
    @InjectQueue(USER_IMPORT_QUEUE) private readonly imports: Queue<UserImportJob>,
    logger: PinoLogger,
  ) {
    super(logger, 'email sweep failed');
    this.logger.setContext(EmailSweeper.name);
  }

  /** Queues every stranded delivery and import of every active tenant; returns how many rows it queued. */
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
      if (stranded.length > 0) {
        await this.queue.addBulk(
          stranded.map(({ id }) => ({ name: 'send', data: { tenantId: tenant.id, deliveryId: id }, opts: { jobId: id } })),
        );
        queued += stranded.length;
        this.logger.info({ tenantId: tenant.id, count: stranded.length }, 'stranded email deliveries queued');
      }

      const imports = await this.db.asWorkerFor(tenant.id, (db) =>
        db.execute<Array<{ id: string }>>(
          `SELECT id FROM user_imports WHERE status IN ('queued', 'running') AND created_at < now() - ?::interval`,
          [olderThan],
        ),
      );
      if (imports.length > 0) {
        await this.imports.addBulk(
          imports.map(({ id }) => ({ name: 'import', data: { tenantId: tenant.id, importId: id }, opts: { jobId: id } })),
        );
        queued += imports.length;
        this.logger.info({ tenantId: tenant.id, count: imports.length }, 'unfinished user imports queued');
      }
    }
    return queued;
  }
}
