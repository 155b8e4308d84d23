import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { TenantDatabase } from '../../db/src/tenant-database';
import { EmailOutbox } from '../../queue/src/email-outbox';

/** A service request that a portal user submitted, after its transaction committed. */
export interface ServiceRequestCreated {
  tenantId: string;
  companyId: string;
  serviceRequestId: string;
  /** The tenant-unique number, such as SR-000123. */
  number: string;
  portalUserId: string;
}

/**
 * The one place where "service request created" happens. The portal calls
 * `created` once per new request, after its transaction has committed, and
 * never for a repeated submit of the same form. Code that must react to new
 * requests, such as outgoing webhooks, belongs here.
 */
@Injectable()
export class ServiceRequestEvents {
  constructor(
    private readonly db: TenantDatabase,
    private readonly outbox: EmailOutbox,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ServiceRequestEvents.name);
  }

  /** Announces a new request. It catches and logs every error, because the request is already saved. */
  async created(event: ServiceRequestCreated): Promise<void> {
    const fields = { tenantId: event.tenantId, serviceRequestId: event.serviceRequestId };
    this.logger.info({ ...fields, number: event.number }, 'service request created');
    try {
      await this.notifyStaff(event);
    } catch (error) {
      // NOTE: the request is saved and in the console inbox, but owners and admins get no email about it.
      this.logger.error({ err: error, ...fields }, 'staff notice of a new service request failed');
    }
  }

  /**
   * Emails the tenant's active owners and admins. It runs as staff of the
   * request's tenant, because customers cannot read staff users.
   */
  private async notifyStaff(event: ServiceRequestCreated): Promise<void> {
    const deliveryIds = await this.db.asWorkerFor(event.tenantId, async (db) => {
      const staff = await db.execute<Array<{ email: string }>>(
        `SELECT email FROM staff_users WHERE role IN ('owner', 'admin') AND status = 'active' ORDER BY email`,
      );
      const details = { serviceRequestId: event.serviceRequestId };
      return this.outbox.record(
        db,
        staff.map((member) => ({ kind: 'service_request_submitted' as const, recipient: member.email, details })),
      );
    });
    await this.outbox.dispatch(event.tenantId, deliveryIds);
  }
}
