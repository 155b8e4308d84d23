import { Controller, Get, Query } from '@nestjs/common';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';

interface Overview {
  companies: number;
  active_users: number;
  invited_users: number;
  staff: number;
  new_requests: number;
}

@Controller()
export class HomeController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  @Get()
  async home(@Query('email') email?: unknown) {
    const overview = await this.db.asStaff(async (db) => {
      const rows: Overview[] = await db.execute(
        `SELECT (SELECT count(*)::int FROM customer_companies) AS companies,
                (SELECT count(*)::int FROM portal_users WHERE status = 'active') AS active_users,
                (SELECT count(*)::int FROM portal_users WHERE status = 'invited') AS invited_users,
                (SELECT count(*)::int FROM staff_users WHERE status = 'active') AS staff,
                (SELECT count(*)::int FROM service_requests WHERE status = 'submitted') AS new_requests`,
      );
      return rows[0];
    });
    const staff = this.scope.staff();
    return {
      view: 'pages/home',
      title: 'Overview',
      overview,
      canManageUsers: staff.role !== 'member',
      emailQueued: email === 'queued',
    };
  }
}
