import { Inject, Injectable, NestMiddleware, NotFoundException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type Redis from 'ioredis';

import { APP_CONFIG, AppConfig } from '../../../../../libs/config/src';
import { REDIS } from '../../../../../libs/redis/src/redis.module';
import { RequestScope } from '../../../../../libs/tenancy/src/request-scope';
import { ApiKeyAuthenticator } from '../keys/api-key-authenticator';
import { isCanonicalApiPath } from './api-error.filter';
import { InsufficientScopeError, InvalidApiKeyError, RateLimitedError } from './api-errors';
import { countApiRequest } from './api-rate-limit';

/** Paths under /api/v1 that anyone may read: the API's own documentation. */
const PUBLIC_PATHS = new Set(['/api/v1/openapi.json', '/api/v1/docs']);
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Authenticates every other /api/v1 request by its bearer key, puts the
 * key and its tenant into the request scope, counts the request against
 * the key's rate limit and rejects a read-only key on a write method. It
 * runs before the JSON body is parsed, so a request without a valid key
 * costs no parsing.
 */
@Injectable()
export class ApiKeyMiddleware implements NestMiddleware {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly scope: RequestScope,
  ) {}

  async use(req: Request & { tenantId?: string }, res: Response, next: NextFunction): Promise<void> {
    try {
      res.setHeader('Cache-Control', 'no-store');
      // One spelling per resource: /API/V1/... is a 404 whatever the key, rather than a second way in.
      if (!isCanonicalApiPath(req.path)) throw new NotFoundException();
      if (PUBLIC_PATHS.has(req.path) && READ_METHODS.has(req.method)) return next();

      const key = await this.authenticator.authenticate(bearerToken(req));
      if (!key) throw new InvalidApiKeyError();
      req.tenantId = key.tenant.id;
      this.scope.setTenant(key.tenant);
      this.scope.setApiKey(key.principal);

      const limit = this.config.API_RATE_LIMIT_PER_MINUTE;
      const state = await countApiRequest(this.redis, key.principal.keyId, limit);
      res.setHeader('RateLimit-Limit', String(state.limit));
      res.setHeader('RateLimit-Remaining', String(state.remaining));
      res.setHeader('RateLimit-Reset', String(state.resetSeconds));
      if (!state.allowed) throw new RateLimitedError(state.resetSeconds);

      if (!READ_METHODS.has(req.method) && key.principal.scope !== 'read_write') throw new InsufficientScopeError();
      await this.authenticator.touch(key.principal);
      next();
    } catch (error) {
      next(error);
    }
  }
}

function bearerToken(req: Request): string {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return '';
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return match ? match[1] : '';
}
