import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { Public } from '../../../../libs/auth/src/public.decorator';
import { normalizeHost } from '../../../../libs/tenancy/src/hostname';
import { TenantResolver } from '../../../../libs/tenancy/src/tenant-resolver.service';

export const TLS_ALLOWED_PATH = 'internal/tls/allowed';

/**
 * The `ask` endpoint of Caddy's on-demand TLS: 200 when the portal serves
 * the host (a verified custom domain or `{slug}.{PORTAL_BASE_DOMAIN}` of an
 * active tenant), else 404, so Caddy requests certificates for portal hosts
 * only. The body never names the tenant. It runs outside the tenant-host
 * middleware and the sign-in guard, and reads the resolver's cache.
 *
 * Only Caddy itself should call it, over the internal network. A request
 * that came through a proxy carries X-Forwarded-For, Forwarded or X-Real-IP
 * and gets 404, so a
 * visitor cannot reach it through Caddy's reverse_proxy.
 */
@Public()
@Controller(TLS_ALLOWED_PATH)
export class TlsAllowedController {
  constructor(private readonly resolver: TenantResolver) {}

  @Get()
  async allowed(@Query('domain') domain: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.type('text/plain').setHeader('Cache-Control', 'no-store');
    const proxied = ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((name) => req.headers[name] !== undefined);
    if (proxied) {
      res.status(404).send('not found\n');
      return;
    }
    // Caddy sends ASCII names, so anything else is not a host this portal serves.
    if (typeof domain !== 'string' || !/^[\x21-\x7e]+$/.test(domain) || domain.includes(':') || normalizeHost(domain) === null) {
      res.status(400).send('domain: expected one host name without a port\n');
      return;
    }

    const tenant = await this.resolver.resolve(domain);
    res.status(tenant ? 200 : 404).send(tenant ? 'ok\n' : 'not found\n');
  }
}
