import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { DomainNameError, parseCustomDomain } from '../../../../libs/domains/src/domain-name';
import { NotFoundError } from '../../../../libs/observability/src/errors';
import { isUuid } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { Roles } from '../auth/staff-auth.guard';
import { CustomDomainsService, DomainTakenError } from './custom-domains.service';
import { domainsPage } from './domains-page';

const NOTICES: Record<string, string> = {
  added: 'Domain added. Publish the TXT record shown below; the domain is checked now and again when you choose "Verify now".',
  checking: 'Verification queued. Reload this page in a few seconds to see the outcome.',
  removed: 'Domain removed.',
  primary: 'Primary domain changed. Links in new emails and documents use it.',
  'not-verified': 'Only a verified domain can be the primary one. Verify it first.',
};

function domainId(id: string): string {
  if (!isUuid(id)) throw new NotFoundError('domain');
  return id;
}

/**
 * Settings → Domains, for owners and admins: the platform hostname, custom
 * domains with their verification state, and the primary domain that links
 * in emails and documents use.
 */
@Roles('owner', 'admin')
@Controller('settings/domains')
export class DomainsController {
  constructor(
    private readonly domains: CustomDomainsService,
    private readonly scope: RequestScope,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(DomainsController.name);
  }

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const { done } = singleValues(query, ['done'] as const);
    const notice = done && Object.hasOwn(NOTICES, done) ? NOTICES[done] : undefined;
    return domainsPage(this.config, this.scope.tenant().slug, await this.domains.list(), { notice });
  }

  @Post()
  async add(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { hostname: raw } = singleValues((req.body ?? {}) as Record<string, unknown>, ['hostname'] as const);
    try {
      const hostname = parseCustomDomain(raw ?? '', this.config);
      const id = await this.domains.add(hostname, originOf(req));
      this.logger.info({ tenantId: this.scope.tenant().id, domainId: id, hostname }, 'custom domain added');
      res.redirect(303, `/settings/domains?done=added#domain-${id}`);
    } catch (error) {
      if (!(error instanceof DomainNameError) && !(error instanceof DomainTakenError)) throw error;
      this.logger.info({ tenantId: this.scope.tenant().id, reason: error.reason }, 'custom domain rejected');
      const page = domainsPage(this.config, this.scope.tenant().slug, await this.domains.list(), {
        value: raw ?? '',
        problem: error.message,
      });
      res.status(400).render(page.view, page);
    }
  }

  @Post('use-platform-hostname')
  async usePlatformHostname(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.domains.makePrimary(null, originOf(req));
    res.redirect(303, '/settings/domains?done=primary');
  }

  @Post(':id/verify')
  async verify(@Param('id') rawId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.domains.requestVerification(domainId(rawId), originOf(req));
    res.redirect(303, '/settings/domains?done=checking');
  }

  @Post(':id/primary')
  async makePrimary(@Param('id') rawId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const changed = await this.domains.makePrimary(domainId(rawId), originOf(req));
    res.redirect(303, `/settings/domains?done=${changed ? 'primary' : 'not-verified'}`);
  }

  @Post(':id/delete')
  async remove(@Param('id') rawId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.domains.remove(domainId(rawId), originOf(req));
    res.redirect(303, '/settings/domains?done=removed');
  }
}
