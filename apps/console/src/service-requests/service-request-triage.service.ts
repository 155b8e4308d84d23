import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { recordActivity, RequestOrigin } from '../../../../libs/activity/src/activity-log';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { isIsoDate, zonedTimeToInstant } from '../../../../libs/locale/src';
import { InvalidInputError } from '../../../../libs/observability/src/errors';
import { isUuid } from '../../../../libs/records/src/paging';
import { workTypeOf } from '../../../../libs/service-requests/src/request-form';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { RecordNotFoundError } from '../records/staff-record-kinds';

export const WORK_ORDER_CREATED = 'service.work_order_created';
export const LEAD_UPDATED = 'service.lead_updated';
export const REQUEST_CLOSED = 'service.request_closed';

/** Lead statuses staff may set, and the request status each one shows customers. */
export const LEAD_STEPS: Record<string, { label: string; status: string }> = {
  contacted: { label: 'Contacted', status: 'triaged' },
  qualified: { label: 'Qualified', status: 'triaged' },
  closed: { label: 'Closed', status: 'closed' },
};

interface LockedRequest {
  id: string;
  company_id: string;
  site_id: string;
  equipment_id: string | null;
  number: string;
  category: string;
  urgency: string;
  description: string;
  status: string;
  intake: string;
  site_name: string;
}

export type WorkOrderOutcome = { outcome: 'created' | 'exists'; workOrderId: string };

/**
 * Staff actions on a service request: create its work order, move a lead
 * along, or close it. Each runs in one transaction with the request row
 * locked and writes its activity entry there, so two staff clicking at once
 * create one work order. Portal users see the new status on their next page.
 */
@Injectable()
export class ServiceRequestTriage {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ServiceRequestTriage.name);
  }

  /**
   * Creates a shared work order for the request, scheduled at the given
   * local date and time of the tenant, and marks the request triaged. A
   * request that already has a work order keeps it.
   */
  async createWorkOrder(id: string, date: string, time: string, origin: RequestOrigin): Promise<WorkOrderOutcome> {
    const scheduledStart = this.scheduledStart(date, time);
    const staff = this.scope.staff();
    const result = await this.db.asStaff(async (db) => {
      const request = await this.lock(db, id);
      const [existing] = await db.execute<Array<{ id: string }>>('SELECT id FROM work_orders WHERE service_request_id = ?', [id]);
      if (existing) return { outcome: 'exists' as const, workOrderId: existing.id };

      const [workOrder] = await db.execute<Array<{ id: string; number: string }>>(
        `INSERT INTO work_orders (tenant_id, company_id, site_id, equipment_id, number, title, work_type, priority, status,
           scheduled_start, service_details, shared_at, service_request_id)
         VALUES ((SELECT app_current_tenant_id()), ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, now(), ?)
         RETURNING id, number`,
        [
          request.company_id,
          request.site_id,
          request.equipment_id,
          `WO-${request.number}`,
          `${request.category} at ${request.site_name}`.slice(0, 200),
          request.urgency === 'emergency' ? 'emergency' : workTypeOf(request.category),
          request.urgency,
          scheduledStart,
          request.description,
          id,
        ],
      );
      await db.execute(
        `UPDATE service_requests SET status = 'triaged', triaged_at = coalesce(triaged_at, now()), updated_at = now(),
           lead_status = CASE WHEN intake = 'lead' THEN 'qualified' ELSE lead_status END
         WHERE id = ?`,
        [id],
      );
      await this.log(db, WORK_ORDER_CREATED, request, { work_order_id: workOrder.id, work_order_number: workOrder.number }, origin);
      return { outcome: 'created' as const, workOrderId: workOrder.id };
    });

    this.logger.info({ tenantId: staff.tenantId, serviceRequestId: id, ...result }, 'work order for service request');
    return result;
  }

  /** Sets a lead's status and the request status customers see. Only requests filed as leads take one. */
  async updateLead(id: string, leadStatus: string, origin: RequestOrigin): Promise<void> {
    if (!Object.hasOwn(LEAD_STEPS, leadStatus)) {
      throw new InvalidInputError({ lead_status: `must be one of: ${Object.keys(LEAD_STEPS).join(', ')}` });
    }
    await this.db.asStaff(async (db) => {
      const request = await this.lock(db, id);
      if (request.intake !== 'lead') throw new InvalidInputError({ lead_status: 'applies to requests filed as leads only' });

      await db.execute(
        `UPDATE service_requests SET lead_status = ?, status = ?, triaged_at = coalesce(triaged_at, now()), updated_at = now()
         WHERE id = ?`,
        [leadStatus, LEAD_STEPS[leadStatus].status, id],
      );
      await this.log(db, LEAD_UPDATED, request, { from: request.status, lead_status: leadStatus }, origin);
    });
  }

  /** Closes the request without a work order, for example when the customer withdrew it. */
  async close(id: string, origin: RequestOrigin): Promise<void> {
    await this.db.asStaff(async (db) => {
      const request = await this.lock(db, id);
      if (request.status === 'closed') return;

      await db.execute(
        `UPDATE service_requests SET status = 'closed', updated_at = now(),
           lead_status = CASE WHEN intake = 'lead' THEN 'closed' ELSE lead_status END
         WHERE id = ?`,
        [id],
      );
      await this.log(db, REQUEST_CLOSED, request, { from: request.status }, origin);
    });
  }

  private scheduledStart(date: string, time: string): Date {
    const errors: Record<string, string> = {};
    if (!isIsoDate(date)) errors.scheduled_date = 'must be a date such as 2026-12-24';
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) errors.scheduled_time = 'must be a time such as 08:30';
    if (Object.keys(errors).length > 0) throw new InvalidInputError(errors);
    return zonedTimeToInstant(date, time, this.scope.tenant().timeZone);
  }

  private async lock(db: SqlExecutor, id: string): Promise<LockedRequest> {
    if (!isUuid(id)) throw new RecordNotFoundError('service request');
    const [request] = await db.execute<LockedRequest[]>(
      `SELECT r.id, r.company_id, r.site_id, r.equipment_id, r.number, r.category, r.urgency, r.description, r.status,
              r.intake, s.name AS site_name
       FROM service_requests r JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       WHERE r.id = ? FOR UPDATE OF r`,
      [id],
    );
    if (!request) throw new RecordNotFoundError('service request');
    return request;
  }

  private log(db: SqlExecutor, action: string, request: LockedRequest, details: Record<string, unknown>, origin: RequestOrigin) {
    const staff = this.scope.staff();
    return recordActivity(
      db,
      {
        action,
        actorType: 'staff',
        actorId: staff.userId,
        companyId: request.company_id,
        subjectType: 'service-requests',
        subjectId: request.id,
        details: { number: request.number, ...details },
      },
      origin,
    );
  }
}
