import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { PortalPrincipal } from '../../../../libs/tenancy/src/tenant-context';
import { csrfToken } from '../../../../libs/web/src/csrf.middleware';
import { LoginGuard } from './login.guard';
import { Public } from '../../../../libs/auth/src/public.decorator';
import { safeReturnPath } from '../../../../libs/web/src/safe-redirect';

/** Builds the one message for every failed sign-in, so it reveals neither accounts nor lockouts. */
export function loginFailedMessage(windowSeconds: number): string {
  const minutes = Math.ceil(windowSeconds / 60);
  return `We could not sign you in with that email and password. Check both and try again. After several failed attempts, sign-in pauses for up to ${minutes} minutes.`;
}

type PortalRequest = Request & { user?: PortalPrincipal | false; tenantId?: string };

/**
 * Finishes a sign-in once passport has logged the principal in (which gave
 * the visitor a new session id): binds the session to this tenant, gives it
 * a CSRF token and stores the name and company the layout shows.
 */
export async function startPortalSession(
  req: Request & { tenantId?: string },
  principal: PortalPrincipal,
  scope: RequestScope,
  db: TenantDatabase,
): Promise<void> {
  req.session.tenantId = req.tenantId;
  csrfToken(req);
  scope.setPrincipal(principal);
  req.session.profile = await db.asCustomer(async (sql) => {
    const rows: Array<{ name: string | null; email: string; company_name: string }> = await sql.execute(
      `SELECT u.name, u.email, c.name AS company_name FROM portal_users u
       JOIN customer_companies c ON c.tenant_id = u.tenant_id AND c.id = u.company_id WHERE u.id = ?`,
      [principal.userId],
    );
    return { name: rows[0].name ?? rows[0].email, companyName: rows[0].company_name };
  });
}

@Public()
@Controller()
export class AuthController {
  private readonly failedMessage: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly scope: RequestScope,
    private readonly db: TenantDatabase,
  ) {
    this.failedMessage = loginFailedMessage(config.LOGIN_WINDOW_SECONDS);
  }

  @Get('login')
  loginPage(@Req() req: PortalRequest, @Res() res: Response, @Query('next') next?: unknown): void {
    if (req.user) return res.redirect(303, safeReturnPath(next));
    res.render('pages/login', this.loginView(req, { next: safeReturnPath(next) }));
  }

  @Post('login')
  @UseGuards(LoginGuard)
  async login(@Req() req: PortalRequest, @Res() res: Response): Promise<void> {
    const body = req.body as Record<string, unknown>;
    const next = safeReturnPath(body.next);
    if (!req.user) {
      res.status(401).render(
        'pages/login',
        this.loginView(req, { next, error: this.failedMessage, email: typeof body.email === 'string' ? body.email : '' }),
      );
      return;
    }
    await startPortalSession(req, req.user as PortalPrincipal, this.scope, this.db);
    res.redirect(303, next);
  }

  @Post('logout')
  @HttpCode(303)
  logout(@Req() req: PortalRequest, @Res() res: Response): void {
    req.logout({ keepSessionInfo: false }, (logoutError) => {
      if (logoutError) return res.redirect(303, '/login');
      req.session.destroy(() => {
        res.redirect(303, '/login?signed_out=1');
      });
    });
  }

  private loginView(req: PortalRequest, extra: Record<string, unknown>) {
    return {
      title: 'Sign in',
      csrfToken: csrfToken(req),
      signedOut: req.query.signed_out === '1',
      ...extra,
    };
  }
}
