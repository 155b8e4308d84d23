import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { AuthenticationRequiredError } from '../../../../libs/observability/src/errors';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { PortalPrincipal } from '../../../../libs/tenancy/src/tenant-context';

/** Admits signed-in portal users of this host's tenant; sends anyone else to the login page. */
@Injectable()
export class PortalAuthGuard implements CanActivate {
  constructor(private readonly scope: RequestScope) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request & { user?: PortalPrincipal }>();
    const principal = request.user;
    if (!principal || principal.tenantId !== this.scope.tenant().id) {
      throw new AuthenticationRequiredError(request.originalUrl);
    }
    this.scope.setPrincipal(principal);
    return true;
  }
}
