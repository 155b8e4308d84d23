import { Controller, Param, Post, Redirect, Req } from '@nestjs/common';
import type { Request } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { voidOpenLinks } from '../../../../libs/access/src/access-links';
import { originOf, recordActivity } from '../../../../libs/activity/src/activity-log';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { DomainError, InvalidInputError, NotFoundError } from '../../../../libs/observability/src/errors';
import { isUuid } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { Roles } from '../auth/staff-auth.guard';

type Action = 'disable' | 'enable';

function parseAction(action: string): Action {
  if (action !== 'disable' && action !== 'enable') throw new NotFoundError();
  return action;
}

// Disabling raises the session version too, so a session that was open at
// the time stays ended after the user is enabled again. Enabling returns a
// user who never set a password to the invited state.
const PORTAL_CHANGE: Record<Action, string> = {
  disable: `UPDATE portal_users SET status = 'disabled', session_version = session_version + 1, updated_at = now()
            WHERE id = ? AND status <> 'disabled' RETURNING email, company_id`,
  enable: `UPDATE portal_users SET status = CASE WHEN password_hash IS NULL THEN 'invited' ELSE 'active' END, updated_at = now()
           WHERE id = ? AND status = 'disabled' RETURNING email, company_id`,
};
const STAFF_CHANGE: Record<Action, string> = {
  disable: `UPDATE staff_users SET status = 'disabled', session_version = session_version + 1, updated_at = now()
            WHERE id = ? AND status <> 'disabled' RETURNING email`,
  enable: `UPDATE staff_users SET status = CASE WHEN password_hash IS NULL THEN 'invited' ELSE 'active' END, updated_at = now()
           WHERE id = ? AND status = 'disabled' RETURNING email`,
};

/**
 * Disables and re-enables portal users and staff. A disabled user's open
 * sessions end on their next request and their open set-password links are
 * voided, so neither comes back when the user is enabled again. Row-level
 * security limits every change to the tenant.
 */
@Roles('owner', 'admin')
@Controller('settings/users')
export class UserStatusController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(UserStatusController.name);
  }

  @Post('portal/:id/:action')
  @Redirect('/settings/users', 303)
  async portalUser(@Param('id') id: string, @Param('action') rawAction: string, @Req() req: Request) {
    const action = parseAction(rawAction);
    if (!isUuid(id)) throw new NotFoundError('portal user');

    const changed = await this.db.asStaff(async (db) => {
      const rows = await db.execute<Array<{ email: string; company_id: string }>>(PORTAL_CHANGE[action], [id]);
      if (rows.length === 0) return false;
      if (action === 'disable') await voidOpenLinks(db, { portalUserId: id });
      await recordActivity(
        db,
        {
          action: `user.${action}d`,
          actorType: 'staff',
          actorId: this.scope.staff().userId,
          companyId: rows[0].company_id,
          subjectType: 'portal_user',
          subjectId: id,
          details: { email: rows[0].email },
        },
        originOf(req),
      );
      return true;
    });
    if (!changed) await this.requireExists('portal_users', id);
    this.logger.info({ tenantId: this.scope.tenant().id, portalUserId: id, action }, 'portal user status changed');
    return { url: `/settings/users?done=${action}d` };
  }

  @Post('staff/:id/:action')
  @Redirect('/settings/users', 303)
  async staffUser(@Param('id') id: string, @Param('action') rawAction: string, @Req() req: Request) {
    const action = parseAction(rawAction);
    if (!isUuid(id)) throw new NotFoundError('staff user');
    const actor = this.scope.staff();
    if (id === actor.userId) throw new InvalidInputError({ id: 'cannot be your own account' });

    const target = await this.db.asStaff(async (db) => {
      const rows: Array<{ role: string }> = await db.execute('SELECT role FROM staff_users WHERE id = ?', [id]);
      return rows[0];
    });
    if (!target) throw new NotFoundError('staff user');
    if (target.role === 'owner' && actor.role !== 'owner') {
      throw new DomainError('forbidden', 403, 'Only an owner can disable or enable another owner.');
    }

    await this.db.asStaff(async (db) => {
      const rows = await db.execute<Array<{ email: string }>>(STAFF_CHANGE[action], [id]);
      if (rows.length === 0) return;
      if (action === 'disable') await voidOpenLinks(db, { staffUserId: id });
      await recordActivity(
        db,
        {
          action: `staff.${action}d`,
          actorType: 'staff',
          actorId: actor.userId,
          subjectType: 'staff_user',
          subjectId: id,
          details: { email: rows[0].email },
        },
        originOf(req),
      );
    });
    this.logger.info({ tenantId: actor.tenantId, staffUserId: id, action }, 'staff user status changed');
    return { url: `/settings/users?done=${action}d` };
  }

  /** Tells an id of another tenant (invisible here) from a user already in the requested state. */
  private async requireExists(table: 'portal_users', id: string): Promise<void> {
    const rows = await this.db.asStaff((db) => db.execute(`SELECT 1 FROM ${table} WHERE id = ?`, [id]));
    if (rows.length === 0) throw new NotFoundError('portal user');
  }
}
