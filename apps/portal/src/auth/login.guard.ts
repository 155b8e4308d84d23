import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';

import { PORTAL_LOCAL } from './local.strategy';

/**
 * Runs passport-local and, on success, logs in, which gives the visitor a new
 * session id. A failed login lets the request through with no user, so the
 * controller can render the login page with its generic message.
 */
@Injectable()
export class LoginGuard extends AuthGuard(PORTAL_LOCAL) {
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
