import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { AuthenticationRequiredError } from '../../../../libs/observability/src/errors';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { PortalPrincipal } from '../../../../libs/tenancy/src/tenant-context';
import { IS_PUBLIC } from '../../../../libs/auth/src/public.decorator';

/**
 * Admits signed-in portal users of this host's tenant and sends anyone else
 * to the login page. It guards every route unless the route or its
 * controller is marked @Public().
 */
@Injectable()
export class PortalAuthGuard implements CanActivate {
  constructor(
    private readonly scope: RequestScope,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const open = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (open) return true;

    const request = context.switchToHttp().getRequest<Request & { user?: PortalPrincipal }>();
    const principal = request.user;
    if (!principal || principal.tenantId !== this.scope.tenant().id) {
      throw new AuthenticationRequiredError(request.originalUrl);
    }
    this.scope.setPrincipal(principal);
    return true;
  }
}
