import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { UnknownHostError } from '../../../../libs/observability/src/errors';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { TenantResolver } from '../../../../libs/tenancy/src/tenant-resolver.service';

/**
 * Resolves the tenant from the Host header (X-Forwarded-Host only through a
 * trusted proxy, which Express's `trust proxy` setting decides). An unknown
 * host ends here with a 404 that names no tenant.
 */
@Injectable()
export class TenantHostMiddleware implements NestMiddleware {
  constructor(
    private readonly resolver: TenantResolver,
    private readonly scope: RequestScope,
  ) {}

  async use(req: Request & { tenantId?: string }, _res: Response, next: NextFunction): Promise<void> {
    try {
      const tenant = await this.resolver.resolve(req.host);
      if (!tenant) return next(new UnknownHostError());
      req.tenantId = tenant.id;
      this.scope.setTenant(tenant);
      next();
    } catch (error) {
      next(error);
    }
  }
}
