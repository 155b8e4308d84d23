import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { RequestScope } from '../../../../../libs/tenancy/src/request-scope';
import { InsufficientScopeError, InvalidApiKeyError } from './api-errors';

/**
 * Checks again, at the handler, what ApiKeyMiddleware established: a key
 * of the request's tenant, and a read_write key for anything but a read.
 * A route reached without the middleware is refused rather than run
 * without a tenant.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly scope: RequestScope) {}

  canActivate(context: ExecutionContext): boolean {
    let apiKey;
    try {
      apiKey = this.scope.apiKey();
    } catch {
      throw new InvalidApiKeyError();
    }
    const method = context.switchToHttp().getRequest<Request>().method;
    if (method !== 'GET' && method !== 'HEAD' && apiKey.scope !== 'read_write') throw new InsufficientScopeError();
    return true;
  }
}
