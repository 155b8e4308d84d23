import { ExecutionContext, Injectable, Type } from '@nestjs/common';
import { AuthGuard, IAuthGuard } from '@nestjs/passport';
import type { Request } from 'express';

/**
 * Creates a guard that runs the named passport strategy and, on success,
 * logs in, which gives the visitor a new session id. A failed login lets the
 * request through with no user, so the controller can render the login page
 * with its one generic message.
 */
export function sessionLoginGuard(strategy: string): Type<IAuthGuard> {
  @Injectable()
  class SessionLoginGuard extends AuthGuard(strategy) {
    override async canActivate(context: ExecutionContext): Promise<boolean> {
      await super.canActivate(context);
      const request = context.switchToHttp().getRequest<Request>();
      if (request.user) await super.logIn(request);
      return true;
    }

    override handleRequest<TUser>(error: unknown, user: TUser): TUser {
      if (error) throw error;
      return user;
    }
  }
  return SessionLoginGuard;
}
