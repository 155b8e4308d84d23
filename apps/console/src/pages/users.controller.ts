import { Controller, Get, Query } from '@nestjs/common';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { InvalidInputError } from '../../../../libs/observability/src/errors';
import { isUuid } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { Roles } from '../auth/staff-auth.guard';

const STATUSES = ['invited', 'active', 'disabled'] as const;
const DONE_NOTICES: Record<string, string | undefined> = {
  disabled: 'The user is disabled. Any open session ends on its next request.',
  enabled: 'The user is enabled again.',
  invited: 'Invitation sent. The user appears as invited until they choose a password.',
  staff_invited: 'Invitation sent to the new staff user.',
  resent: 'A new invitation is on its way; earlier links no longer work.',
  reset: 'Access reset: every session of that user has ended, earlier links no longer work, and a new link is on its way.',
};
// NOTE: the list shows the first 200 matches and has no paging yet, so a
// tenant with more portal users must narrow the filters to see the rest.
const LIST_LIMIT = 200;

/** Lists the tenant's portal users and staff for Settings → Users; owners and admins only. */
@Roles('owner', 'admin')
@Controller('settings/users')
export class UsersController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const { status = '', company = '', q = '', done = '' } = singleValues(query, ['status', 'company', 'q', 'done'] as const);
    const problems: Record<string, string> = {};
    if (status && !(STATUSES as readonly string[]).includes(status)) problems.status = `must be one of ${STATUSES.join(', ')}`;
    if (company && !isUuid(company)) problems.company = 'must be a customer company id';
    if (q.length > 100) problems.q = 'must be at most 100 characters';
    if (Object.keys(problems).length > 0) throw new InvalidInputError(problems);

    // LIKE wildcards in the search text are escaped, so it matches literally.
    const pattern = `%${q.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const data = await this.db.asStaff(async (db) => ({
      portalUsers: await db.execute(
        `SELECT u.id, u.email, u.name, u.status, u.invited_at, u.last_login_at, c.name AS company_name
         FROM portal_users u JOIN customer_companies c ON c.tenant_id = u.tenant_id AND c.id = u.company_id
         WHERE (? = '' OR u.status = ?) AND (? = '' OR u.company_id::text = ?)
           AND (? = '' OR u.email ILIKE ? OR u.name ILIKE ?)
         ORDER BY c.name, u.email LIMIT ${LIST_LIMIT}`,
        [status, status, company, company, q, pattern, pattern],
      ),
      companies: await db.execute('SELECT id, name FROM customer_companies ORDER BY name'),
      staff: await db.execute('SELECT id, email, name, role, status, last_login_at FROM staff_users ORDER BY email'),
    }));

    return {
      view: 'pages/users',
      title: 'Users',
      ...data,
      filters: { status, company, q },
      statuses: STATUSES,
      limited: data.portalUsers.length === LIST_LIMIT,
      notice: DONE_NOTICES[done],
      selfId: this.scope.staff().userId,
    };
  }
}
