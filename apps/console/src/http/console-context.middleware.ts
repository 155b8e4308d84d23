import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { UnknownHostError } from '../../../../libs/observability/src/errors';
import { normalizeHost } from '../../../../libs/tenancy/src/hostname';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { StaffPrincipal } from '../../../../libs/tenancy/src/tenant-context';
import { TenantResolver } from '../../../../libs/tenancy/src/tenant-resolver.service';

/** Serves the console on CONSOLE_HOST only; any other host gets the unknown-host 404. */
@Injectable()
export class ConsoleHostMiddleware implements NestMiddleware {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  use(req: Request, _res: Response, next: NextFunction): void {
    const hostHeaders = req.rawHeaders.filter((value, index) => index % 2 === 0 && value.toLowerCase() === 'host');
    const host = hostHeaders.length === 1 ? normalizeHost(req.host) : null;
    next(host === this.config.CONSOLE_HOST ? undefined : new UnknownHostError());
  }
}

/**
 * Puts the signed-in staff user's tenant into the request scope. The session
 * names the tenant; a tenant that no longer resolves (suspended, renamed)
 * leaves the visitor signed out.
 */
@Injectable()
export class StaffContextMiddleware implements NestMiddleware {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly resolver: TenantResolver,
    private readonly scope: RequestScope,
  ) {}

  async use(req: Request & { tenantId?: string }, _res: Response, next: NextFunction): Promise<void> {
    try {
      const staff = req.user as StaffPrincipal | undefined;
      if (staff?.kind === 'staff') {
        const tenant = await this.resolver.resolve(`${staff.tenantSlug}.${this.config.PORTAL_BASE_DOMAIN}`);
        if (tenant && tenant.id === staff.tenantId) {
          req.tenantId = tenant.id;
          this.scope.setTenant(tenant);
          this.scope.setStaff(staff);
        } else {
          req.user = undefined;
        }
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
