import { Controller, Get, HttpStatus, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { SetPasswordService } from '../../../../libs/access/src/set-password.service';
import { originOf } from '../../../../libs/activity/src/activity-log';
import { MIN_PASSWORD_LENGTH } from '../../../../libs/auth/src/password-policy';
import { Public } from '../../../../libs/auth/src/public.decorator';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { StaffPrincipal, StaffRole } from '../../../../libs/tenancy/src/tenant-context';
import { TenantResolver } from '../../../../libs/tenancy/src/tenant-resolver.service';
import { csrfToken } from '../../../../libs/web/src/csrf.middleware';

type ConsoleRequest = Request & { user?: StaffPrincipal | false };

const WORKSPACE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Staff set-password links and "forgot password". A link names its
 * workspace, which picks the tenant the token is looked up in; a token
 * moved to another workspace finds nothing there.
 */
@Public()
@Controller()
export class StaffPasswordController {
  constructor(
    private readonly passwords: SetPasswordService,
    private readonly resolver: TenantResolver,
    private readonly scope: RequestScope,
    private readonly db: TenantDatabase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('reset-password')
  async resetPage(
    @Req() req: ConsoleRequest,
    @Res() res: Response,
    @Query('workspace') workspace: unknown,
    @Query('token') token: unknown,
  ): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const link = (await this.enterWorkspace(workspace)) ? await this.passwords.preview('staff', token) : null;
    if (!link) return this.invalidLink(req, res);
    res.render('pages/reset-password', this.formView(req, { workspace, token, email: link.email, invitation: link.purpose === 'invitation' }));
  }

  @Post('reset-password')
  async reset(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const body = req.body as Record<string, unknown>;
    if (!(await this.enterWorkspace(body.workspace))) return this.invalidLink(req, res);
    const result = await this.passwords.complete('staff', body.token, body.password, body.confirmation, originOf(req));
    if (!result.ok && !result.link) return this.invalidLink(req, res);
    if (!result.ok) {
      res.status(HttpStatus.BAD_REQUEST).render(
        'pages/reset-password',
        this.formView(req, {
          workspace: body.workspace,
          token: body.token,
          email: result.link.email,
          invitation: result.link.purpose === 'invitation',
          problems: result.problems,
        }),
      );
      return;
    }

    const tenant = this.scope.tenant();
    const profile = await this.db.asAuth(async (db) => {
      const rows: Array<{ name: string; role: StaffRole }> = await db.execute('SELECT name, role FROM staff_users WHERE id = ?', [
        result.userId,
      ]);
      return rows[0];
    });
    const principal: StaffPrincipal = {
      kind: 'staff',
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      userId: result.userId,
      role: profile.role,
      sessionVersion: result.sessionVersion,
    };
    // Logging in regenerates the session, so the visitor's id is not reused.
    await new Promise<void>((resolve, reject) => req.login(principal, (error) => (error ? reject(error) : resolve())));
    req.session.tenantId = tenant.id;
    req.session.profile = { name: profile.name, companyName: tenant.name };
    csrfToken(req);
    res.redirect(303, '/');
  }

  @Get('forgot-password')
  forgotPage(@Req() req: ConsoleRequest, @Res() res: Response): void {
    res.render('pages/forgot-password', { title: 'Forgot your password?', csrfToken: csrfToken(req) });
  }

  @Post('forgot-password')
  async forgot(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const body = req.body as Record<string, unknown>;
    // An unknown workspace gets the same response as a known one.
    if (await this.enterWorkspace(body.workspace)) {
      this.passwords.startResetRequest('staff', body.email, originOf(req));
    }
    res.status(HttpStatus.OK).render('pages/forgot-password', { title: 'Check your email', csrfToken: csrfToken(req), requested: true });
  }

  /** Resolves the workspace named by a link or form into the request scope; false when there is none. */
  private async enterWorkspace(raw: unknown): Promise<boolean> {
    const workspace = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    if (!WORKSPACE.test(workspace)) return false;
    const tenant = await this.resolver.resolve(`${workspace}.${this.config.PORTAL_BASE_DOMAIN}`);
    if (!tenant) return false;
    this.scope.setTenant(tenant);
    return true;
  }

  private formView(req: ConsoleRequest, extra: Record<string, unknown>) {
    return {
      title: extra.invitation ? 'Welcome: choose a password' : 'Choose a new password',
      csrfToken: csrfToken(req),
      minLength: MIN_PASSWORD_LENGTH,
      ...extra,
    };
  }

  private invalidLink(req: ConsoleRequest, res: Response): void {
    res.status(HttpStatus.GONE).render('pages/link-invalid', { title: 'This link no longer works', csrfToken: csrfToken(req) });
  }
}
