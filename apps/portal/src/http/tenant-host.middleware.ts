import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { UnknownHostError } from '../../../../libs/observability/src/errors';
import { isAsciiHostHeader, normalizeHost } from '../../../../libs/tenancy/src/hostname';
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
      const host = requestHost(req);
      const tenant = host === null ? null : await this.resolver.resolve(host);
      if (!tenant) return next(new UnknownHostError());
      req.tenantId = tenant.id;
      this.scope.setTenant(tenant);
      next();
    } catch (error) {
      next(error);
    }
  }
}

/**
 * Returns the one host a request names, or null when it names none or
 * several: repeated Host headers, an absolute request target whose host
 * differs from Host, or bytes outside visible ASCII. A proxy or cache in
 * front could pick a different one of them than this app would.
 */
export function requestHost(req: Request): string | null {
  const hostHeaders = req.rawHeaders.filter((_, index) => index % 2 === 0 && req.rawHeaders[index].toLowerCase() === 'host');
  if (hostHeaders.length > 1) return null;

  const host = req.host;
  if (!host || !isAsciiHostHeader(host)) return null;

  if (/^https?:\/\//i.test(req.originalUrl)) {
    let target: URL;
    try {
      target = new URL(req.originalUrl);
    } catch {
      return null;
    }
    if (normalizeHost(target.host) !== normalizeHost(host)) return null;
  }
  return host;
}
