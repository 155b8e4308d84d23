import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import type { SqlExecutor } from '../../db/src/sql-executor';
import { EmailOutbox } from '../../queue/src/email-outbox';
import { RecordedWebhookEvent, WebhookOutbox } from '../../queue/src/webhook-outbox';

/** A service request that a portal user submitted. */
export interface ServiceRequestCreated {
  tenantId: string;
  companyId: string;
  serviceRequestId: string;
  /** The tenant-unique number, such as SR-000123. */
  number: string;
  portalUserId: string;
  siteId: string;
  equipmentId: string | null;
  category: string;
  urgency: string;
}

/** Emails and webhook deliveries recorded for a new request, queued after its commit. */
export interface RecordedRequestNotices {
  deliveryIds: string[];
  webhook: RecordedWebhookEvent;
}

/**
 * The one place where "service request created" happens. `record` runs as
 * staff inside the transaction that inserts the request, so the staff
 * emails and the webhook event commit with it or not at all. `created`
 * queues them once that transaction has committed, and runs once per new
 * request, never for a repeated submit of the same form.
 */
@Injectable()
export class ServiceRequestEvents {
  constructor(
    private readonly outbox: EmailOutbox,
    private readonly webhooks: WebhookOutbox,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ServiceRequestEvents.name);
  }

  /**
   * Records an email to each active owner and admin and the
   * `service_request.created` webhook event. `db` must run as staff of the
   * request's tenant, because customers cannot read staff users.
   */
  async record(db: SqlExecutor, event: ServiceRequestCreated): Promise<RecordedRequestNotices> {
    const staff = await db.execute<Array<{ email: string }>>(
      `SELECT email FROM staff_users WHERE role IN ('owner', 'admin') AND status = 'active' ORDER BY email`,
    );
    const details = { serviceRequestId: event.serviceRequestId };
    const deliveryIds = await this.outbox.record(
      db,
      staff.map((member) => ({ kind: 'service_request_submitted' as const, recipient: member.email, details })),
    );
    const webhook = await this.webhooks.record(db, {
      type: 'service_request.created',
      data: {
        service_request_id: event.serviceRequestId,
        number: event.number,
        company_id: event.companyId,
        site_id: event.siteId,
        equipment_id: event.equipmentId,
        portal_user_id: event.portalUserId,
        category: event.category,
        urgency: event.urgency,
      },
    });
    return { deliveryIds, webhook };
  }

  /** Queues what `record` wrote. It logs every error, because the request is already saved and the sweeps catch up. */
  async created(event: ServiceRequestCreated, notices: RecordedRequestNotices): Promise<void> {
    const fields = { tenantId: event.tenantId, serviceRequestId: event.serviceRequestId };
    this.logger.info({ ...fields, number: event.number }, 'service request created');
    try {
      await this.outbox.dispatch(event.tenantId, notices.deliveryIds);
      await this.webhooks.dispatch(event.tenantId, notices.webhook);
    } catch (error) {
      this.logger.error({ err: error, ...fields }, 'staff notices or webhooks of a new service request not queued yet');
    }
  }
}
