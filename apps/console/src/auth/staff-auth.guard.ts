import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { IS_PUBLIC } from '../../../../libs/auth/src/public.decorator';
import { AuthenticationRequiredError, ForbiddenError } from '../../../../libs/observability/src/errors';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { StaffRole } from '../../../../libs/tenancy/src/tenant-context';

const ROLES = 'console:roles';

/** Limits a route or controller to the given staff roles. */
export const Roles = (...roles: StaffRole[]) => SetMetadata(ROLES, roles);

/**
 * Admits signed-in staff on every console route not marked @Public(), and
 * rejects with 403 a user whose role the route does not list.
 */
@Injectable()
export class StaffAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly scope: RequestScope,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<Request>();
    let staff;
    try {
      staff = this.scope.staff();
    } catch {
      throw new AuthenticationRequiredError(request.originalUrl);
    }
    const roles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(staff.role)) throw new ForbiddenError();
    return true;
  }
}
