import { Body, Controller, Get, HttpStatus, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import {
  AccessRequester,
  invitePortalUser,
  inviteStaffUser,
  LinkOutcome,
  resendPortalInvitation,
  resetPortalAccess,
  resetStaffAccess,
  StaffRoleName,
} from '../../../../libs/access/src/user-access';
import { emailProblem, nameProblem } from '../../../../libs/access/src/contact-fields';
import { originOf } from '../../../../libs/activity/src/activity-log';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { DomainError, NotFoundError } from '../../../../libs/observability/src/errors';
import { EmailOutbox } from '../../../../libs/queue/src/email-outbox';
import { isUuid } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { Roles } from '../auth/staff-auth.guard';

const STAFF_ROLES: StaffRoleName[] = ['member', 'admin', 'owner'];

/**
 * Invitations and access resets for portal users and staff, for owners and
 * admins. Each action records its email in the same transaction as the
 * change and queues it after commit, so an email never goes out for a change
 * that rolled back.
 */
@Roles('owner', 'admin')
@Controller('settings/users')
export class UserAccessController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly outbox: EmailOutbox,
    private readonly logger: PinoLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.logger.setContext(UserAccessController.name);
  }

  @Get('invite')
  async invitePage(@Query() query: Record<string, unknown>) {
    const { company = '' } = singleValues(query, ['company'] as const);
    return this.inviteView({ company: isUuid(company) ? company : '' });
  }

  @Post('invite')
  async invite(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: Record<string, unknown>) {
    const form = {
      email: typeof body.email === 'string' ? body.email.trim().toLowerCase() : '',
      company: typeof body.company === 'string' ? body.company : '',
      name: typeof body.name === 'string' ? body.name.trim() : '',
    };
    const problems: Record<string, string> = {};
    const emailIssue = emailProblem(form.email);
    if (emailIssue) problems.email = emailIssue;
    if (!isUuid(form.company)) problems.company = 'must be one of your customer companies';
    const nameIssue = nameProblem(form.name);
    if (nameIssue) problems.name = nameIssue;

    if (Object.keys(problems).length === 0) {
      const outcome = await this.db.asStaff((db) =>
        invitePortalUser(db, { email: form.email, companyId: form.company, name: form.name }, this.requester(req)),
      );
      if (outcome.outcome === 'invited') {
        await this.outbox.dispatch(this.scope.tenant().id, [outcome.deliveryId]);
        this.logger.info({ tenantId: this.scope.tenant().id, portalUserId: outcome.userId }, 'portal user invited');
        res.redirect(303, '/settings/users?done=invited');
        return;
      }
      if (outcome.outcome === 'no_company') problems.company = 'must be one of your customer companies';
      else problems.email = `already belongs to a portal user (${outcome.status}); use Resend or Reset access in the list`;
    }
    res.status(HttpStatus.BAD_REQUEST);
    return this.inviteView(form, problems);
  }

  @Get('invite-staff')
  inviteStaffPage() {
    return this.staffInviteView({ email: '', name: '', role: 'member' });
  }

  @Post('invite-staff')
  async inviteStaff(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: Record<string, unknown>) {
    const form = {
      email: typeof body.email === 'string' ? body.email.trim().toLowerCase() : '',
      name: typeof body.name === 'string' ? body.name.trim() : '',
      role: typeof body.role === 'string' ? body.role : '',
    };
    const problems: Record<string, string> = {};
    const emailIssue = emailProblem(form.email);
    if (emailIssue) problems.email = emailIssue;
    const nameIssue = form.name.length === 0 ? 'is required' : nameProblem(form.name);
    if (nameIssue) problems.name = nameIssue;
    if (!STAFF_ROLES.includes(form.role as StaffRoleName)) problems.role = 'must be member, admin or owner';
    else if (form.role === 'owner' && this.scope.staff().role !== 'owner') problems.role = 'can be owner only when an owner invites';

    if (Object.keys(problems).length === 0) {
      const outcome = await this.db.asStaff((db) =>
        inviteStaffUser(db, { email: form.email, name: form.name, role: form.role as StaffRoleName }, this.requester(req)),
      );
      if (outcome.outcome === 'invited') {
        await this.outbox.dispatch(this.scope.tenant().id, [outcome.deliveryId]);
        this.logger.info({ tenantId: this.scope.tenant().id, staffUserId: outcome.userId }, 'staff user invited');
        res.redirect(303, '/settings/users?done=staff_invited');
        return;
      }
      problems.email = 'already belongs to a staff user of this workspace';
    }
    res.status(HttpStatus.BAD_REQUEST);
    return this.staffInviteView(form, problems);
  }

  @Post('portal/:id/resend')
  async resend(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('portal user');
    const outcome = await this.db.asStaff((db) => resendPortalInvitation(db, id, this.requester(req)));
    await this.finish(outcome, 'portal user', res, 'resent');
  }

  @Post('portal/:id/reset')
  async resetPortal(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('portal user');
    const outcome = await this.db.asStaff((db) => resetPortalAccess(db, id, this.requester(req)));
    await this.finish(outcome, 'portal user', res, 'reset');
  }

  @Post('staff/:id/reset')
  async resetStaff(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('staff user');
    const actor = this.scope.staff();
    if (id === actor.userId) {
      throw new DomainError('forbidden', 403, 'You cannot reset your own access here; use "Forgot your password?" on the sign-in page.');
    }
    const outcome = await this.db.asStaff(async (db) => {
      const rows: Array<{ role: string }> = await db.execute('SELECT role FROM staff_users WHERE id = ?', [id]);
      if (rows.length === 0) return { outcome: 'missing' } as const;
      if (rows[0].role === 'owner' && actor.role !== 'owner') {
        return { outcome: 'refused', reason: 'Only an owner can reset the access of another owner.' } as const;
      }
      return resetStaffAccess(db, id, this.requester(req));
    });
    await this.finish(outcome, 'staff user', res, 'reset');
  }

  private async finish(outcome: LinkOutcome, what: string, res: Response, done: string): Promise<void> {
    if (outcome.outcome === 'missing') throw new NotFoundError(what);
    if (outcome.outcome === 'refused') throw new DomainError('conflict', 409, outcome.reason);
    await this.outbox.dispatch(this.scope.tenant().id, [outcome.deliveryId]);
    this.logger.info({ tenantId: this.scope.tenant().id, action: done }, 'access link sent');
    res.redirect(303, `/settings/users?done=${done}`);
  }

  private requester(req: Request): AccessRequester {
    return {
      staffUserId: this.scope.staff().userId,
      ttlMinutes: this.config.INVITATION_TTL_HOURS * 60,
      origin: originOf(req),
    };
  }

  private async inviteView(form: { email?: string; company: string; name?: string }, problems: Record<string, string> = {}) {
    const companies = await this.db.asStaff((db) =>
      db.execute<Array<{ id: string; name: string }>>('SELECT id, name FROM customer_companies ORDER BY name'),
    );
    return {
      view: 'pages/invite',
      title: 'Invite a portal user',
      companies,
      form,
      problems,
      hasProblems: Object.keys(problems).length > 0,
      ttlDays: Math.max(1, Math.round(this.config.INVITATION_TTL_HOURS / 24)),
    };
  }

  private staffInviteView(form: { email: string; name: string; role: string }, problems: Record<string, string> = {}) {
    const roles = this.scope.staff().role === 'owner' ? STAFF_ROLES : STAFF_ROLES.filter((role) => role !== 'owner');
    return {
      view: 'pages/invite-staff',
      title: 'Invite a staff user',
      roles,
      form,
      problems,
      hasProblems: Object.keys(problems).length > 0,
    };
  }
}
