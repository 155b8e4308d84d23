import { Controller, Get, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { SetPasswordService } from '../../../../libs/access/src/set-password.service';
import { originOf } from '../../../../libs/activity/src/activity-log';
import { MIN_PASSWORD_LENGTH } from '../../../../libs/auth/src/password-policy';
import { Public } from '../../../../libs/auth/src/public.decorator';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { PortalPrincipal } from '../../../../libs/tenancy/src/tenant-context';
import { csrfToken } from '../../../../libs/web/src/csrf.middleware';
import { startPortalSession } from './auth.controller';

type PortalRequest = Request & { user?: PortalPrincipal | false; tenantId?: string };

/**
 * Set-password links (from invitations, resets by staff and "forgot
 * password") and the form that requests one. Every kind of bad link gets the
 * same page, so a visitor learns nothing from trying tokens.
 */
@Public()
@Controller()
export class PasswordController {
  constructor(
    private readonly passwords: SetPasswordService,
    private readonly scope: RequestScope,
    private readonly db: TenantDatabase,
  ) {}

  @Get('set-password')
  async setPasswordPage(@Req() req: PortalRequest, @Res() res: Response, @Query('token') token: unknown): Promise<void> {
    // The token is in the address, so neither the page nor its address may be kept or passed on.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const link = await this.passwords.preview('portal', token);
    if (!link) return this.invalidLink(req, res);
    res.render('pages/set-password', this.formView(req, { token, email: link.email, invitation: link.purpose === 'invitation' }));
  }

  @Post('set-password')
  async setPassword(@Req() req: PortalRequest, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const body = req.body as Record<string, unknown>;
    const result = await this.passwords.complete('portal', body.token, body.password, body.confirmation, originOf(req));
    if (!result.ok && !result.link) return this.invalidLink(req, res);
    if (!result.ok) {
      res.status(HttpStatus.BAD_REQUEST).render(
        'pages/set-password',
        this.formView(req, {
          token: body.token,
          email: result.link.email,
          invitation: result.link.purpose === 'invitation',
          problems: result.problems,
        }),
      );
      return;
    }

    const principal: PortalPrincipal = {
      kind: 'portal',
      tenantId: this.scope.tenant().id,
      companyId: result.companyId!,
      userId: result.userId,
      sessionVersion: result.sessionVersion,
    };
    // Logging in regenerates the session, so the visitor's id is not reused.
    await new Promise<void>((resolve, reject) => req.login(principal, (error) => (error ? reject(error) : resolve())));
    await startPortalSession(req, principal, this.scope, this.db);
    res.redirect(303, '/?welcome=1');
  }

  @Get('forgot-password')
  forgotPasswordPage(@Req() req: PortalRequest, @Res() res: Response): void {
    res.render('pages/forgot-password', { title: 'Forgot your password?', csrfToken: csrfToken(req) });
  }

  @Post('forgot-password')
  forgotPassword(@Req() req: PortalRequest, @Res() res: Response): void {
    const email = (req.body as Record<string, unknown>).email;
    this.passwords.startResetRequest('portal', email, originOf(req));
    res.status(HttpStatus.OK).render('pages/forgot-password', { title: 'Check your email', csrfToken: csrfToken(req), requested: true });
  }

  private formView(req: PortalRequest, extra: Record<string, unknown>) {
    return {
      title: extra.invitation ? 'Welcome: choose a password' : 'Choose a new password',
      csrfToken: csrfToken(req),
      minLength: MIN_PASSWORD_LENGTH,
      ...extra,
    };
  }

  private invalidLink(req: PortalRequest, res: Response): void {
    res.status(HttpStatus.GONE).render('pages/link-invalid', { title: 'This link no longer works', csrfToken: csrfToken(req) });
  }
}
