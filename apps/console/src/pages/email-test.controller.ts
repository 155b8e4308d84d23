import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Post, Redirect } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { EMAIL_QUEUE, EmailJob } from '../../../../libs/queue/src/queues';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { Roles } from '../auth/staff-auth.guard';

/** Sends the signed-in owner or admin a test email in the tenant's branding. */
@Roles('owner', 'admin')
@Controller('settings/email')
export class EmailTestController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    @InjectQueue(EMAIL_QUEUE) private readonly queue: Queue<EmailJob>,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(EmailTestController.name);
  }

  @Post('test')
  @Redirect('/', 303)
  async sendTest() {
    const staff = this.scope.staff();
    const deliveryId = await this.db.asStaff(async (db) => {
      const rows: Array<{ id: string }> = await db.execute(
        `INSERT INTO email_deliveries (tenant_id, kind, recipient, requested_by)
         SELECT tenant_id, 'branding_test', email, id FROM staff_users WHERE id = ? RETURNING id`,
        [staff.userId],
      );
      return rows[0].id;
    });
    // The delivery id is the job id, so a repeated add of the same delivery is one job.
    await this.queue.add('send', { tenantId: staff.tenantId, deliveryId }, { jobId: deliveryId });
    this.logger.info({ tenantId: staff.tenantId, deliveryId }, 'test email queued');
    return { url: '/?email=queued' };
  }
}
