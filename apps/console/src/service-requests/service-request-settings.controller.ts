import { Body, Controller, Get, Post, Query, Redirect, Req } from '@nestjs/common';
import type { Request } from 'express';

import { originOf, recordActivity } from '../../../../libs/activity/src/activity-log';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { InvalidInputError } from '../../../../libs/observability/src/errors';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { Roles } from '../auth/staff-auth.guard';

export const INTAKE_CHANGED = 'service.intake_changed';

const INTAKES = [
  {
    value: 'work_order',
    label: 'Work orders',
    help: 'Staff turn each new request into a scheduled work order.',
  },
  {
    value: 'lead',
    label: 'Leads',
    help: 'Staff track each new request as a sales lead (contacted, qualified, closed) and may convert it to a work order.',
  },
];

/**
 * Settings → Service requests: whether a new request from the portal lands
 * in the inbox as a work order to schedule or as a lead. Requests keep the
 * intake they arrived under, so a change applies to new requests only.
 */
@Roles('owner', 'admin')
@Controller('settings/service-requests')
export class ServiceRequestSettingsController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  @Get()
  async show(@Query() query: Record<string, unknown>) {
    const { done } = singleValues(query, ['done'] as const);
    const [tenant] = await this.db.asStaff((db) =>
      db.execute<Array<{ service_request_intake: string }>>(
        'SELECT service_request_intake FROM tenants WHERE id = (SELECT app_current_tenant_id())',
      ),
    );
    return {
      view: 'pages/service-request-settings',
      title: 'Service request settings',
      intakes: INTAKES.map((intake) => ({ ...intake, checked: intake.value === tenant.service_request_intake })),
      notice: done === 'saved' ? 'The setting is saved. It applies to requests submitted from now on.' : undefined,
    };
  }

  @Post()
  @Redirect('/settings/service-requests?done=saved', 303)
  async save(@Body() body: Record<string, unknown>, @Req() req: Request): Promise<void> {
    const intake = body.intake;
    if (typeof intake !== 'string' || !INTAKES.some((candidate) => candidate.value === intake)) {
      throw new InvalidInputError({ intake: 'must be work_order or lead' });
    }
    const staff = this.scope.staff();
    await this.db.asStaff(async (db) => {
      const [before] = await db.execute<Array<{ service_request_intake: string }>>(
        'SELECT service_request_intake FROM tenants WHERE id = (SELECT app_current_tenant_id()) FOR UPDATE',
      );
      if (before.service_request_intake === intake) return;

      await db.execute('UPDATE tenants SET service_request_intake = ?, updated_at = now() WHERE id = (SELECT app_current_tenant_id())', [
        intake,
      ]);
      await recordActivity(
        db,
        { action: INTAKE_CHANGED, actorType: 'staff', actorId: staff.userId, details: { from: before.service_request_intake, to: intake } },
        originOf(req),
      );
    });
  }
}
