import { Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';

import { Public } from '../../../../libs/auth/src/public.decorator';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { StaffPrincipal } from '../../../../libs/tenancy/src/tenant-context';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { csrfToken } from '../../../../libs/web/src/csrf.middleware';
import { safeReturnPath } from '../../../../libs/web/src/safe-redirect';
import { StaffLoginGuard } from './staff-local.strategy';

/** Builds the one message for every failed staff sign-in, so it reveals neither workspaces nor accounts. */
export function staffLoginFailedMessage(windowSeconds: number): string {
  const minutes = Math.ceil(windowSeconds / 60);
  return `We could not sign you in with that workspace, email and password. Check all three and try again. After several failed attempts, sign-in pauses for up to ${minutes} minutes.`;
}

type ConsoleRequest = Request & { user?: StaffPrincipal | false };

@Public()
@Controller()
export class ConsoleAuthController {
  private readonly failedMessage: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly scope: RequestScope,
    private readonly db: TenantDatabase,
  ) {
    this.failedMessage = staffLoginFailedMessage(config.LOGIN_WINDOW_SECONDS);
  }

  @Get('login')
  loginPage(@Req() req: ConsoleRequest, @Res() res: Response, @Query('next') next?: unknown): void {
    if (req.user) return res.redirect(303, safeReturnPath(next));
    res.render('pages/login', { title: 'Staff sign-in', csrfToken: csrfToken(req), next: safeReturnPath(next) });
  }

  @Post('login')
  @UseGuards(StaffLoginGuard)
  async login(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const body = req.body as Record<string, unknown>;
    const next = safeReturnPath(body.next);
    if (!req.user) {
      res.status(401).render('pages/login', {
        title: 'Staff sign-in',
        csrfToken: csrfToken(req),
        next,
        error: this.failedMessage,
        workspace: typeof body.workspace === 'string' ? body.workspace : '',
        email: typeof body.email === 'string' ? body.email : '',
      });
      return;
    }
    const staff = req.user;
    req.session.tenantId = staff.tenantId;
    // The login set the tenant in the request scope; the staff user joins it here.
    this.scope.setStaff(staff);
    const name = await this.db.asStaff(async (db) => {
      const rows: Array<{ name: string }> = await db.execute('SELECT name FROM staff_users WHERE id = ?', [staff.userId]);
      return rows[0]?.name ?? '';
    });
    req.session.profile = { name, companyName: this.scope.tenant().name };
    csrfToken(req);
    res.redirect(303, next);
  }

  @Post('logout')
  logout(@Req() req: ConsoleRequest, @Res() res: Response): void {
    req.logout({ keepSessionInfo: false }, () => {
      req.session.destroy(() => res.redirect(303, '/login?signed_out=1'));
    });
  }
}
