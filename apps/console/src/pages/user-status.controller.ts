import { Controller, Param, Post, Redirect } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

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

/**
 * Disables and re-enables portal users and staff. A disabled user's open
 * sessions end on their next request, because every request re-checks the
 * user's status. Row-level security limits every change to the tenant.
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
  async portalUser(@Param('id') id: string, @Param('action') rawAction: string) {
    const action = parseAction(rawAction);
    if (!isUuid(id)) throw new NotFoundError('portal user');

    // Enabling returns a user who never set a password to the invited state.
    const changed = await this.db.asStaff((db) =>
      db.execute<Array<{ email: string }>>(
        action === 'disable'
          ? `UPDATE portal_users SET status = 'disabled', updated_at = now() WHERE id = ? AND status <> 'disabled' RETURNING email`
          : `UPDATE portal_users SET status = CASE WHEN password_hash IS NULL THEN 'invited' ELSE 'active' END, updated_at = now()
             WHERE id = ? AND status = 'disabled' RETURNING email`,
        [id],
      ),
    );
    if (changed.length === 0) await this.requireExists('portal_users', id);
    this.logger.info({ tenantId: this.scope.tenant().id, portalUserId: id, action }, 'portal user status changed');
    return { url: `/settings/users?done=${action}d` };
  }

  @Post('staff/:id/:action')
  @Redirect('/settings/users', 303)
  async staffUser(@Param('id') id: string, @Param('action') rawAction: string) {
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

    await this.db.asStaff((db) =>
      db.execute(`UPDATE staff_users SET status = ?, updated_at = now() WHERE id = ?`, [
        action === 'disable' ? 'disabled' : 'active',
        id,
      ]),
    );
    this.logger.info({ tenantId: actor.tenantId, staffUserId: id, action }, 'staff user status changed');
    return { url: `/settings/users?done=${action}d` };
  }

  /** Tells an id of another tenant (invisible here) from a user already in the requested state. */
  private async requireExists(table: 'portal_users', id: string): Promise<void> {
    const rows = await this.db.asStaff((db) => db.execute(`SELECT 1 FROM ${table} WHERE id = ?`, [id]));
    if (rows.length === 0) throw new NotFoundError('portal user');
  }
}
