import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { NotFoundError } from '../../../../libs/observability/src/errors';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { Public } from '../../../../libs/auth/src/public.decorator';

/**
 * Serves the tenant's colours as a stylesheet and its logo. URLs carry the
 * branding version, so responses can be cached for a long time.
 */
@Public()
@Controller('branding')
export class BrandingController {
  constructor(
    private readonly scope: RequestScope,
    private readonly db: TenantDatabase,
  ) {}

  @Get('theme.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  theme(): string {
    const { primaryColor, accentColor } = this.scope.tenant().branding;
    // Both colours were checked against ^#[0-9a-f]{6}$ by the database.
    return `:root { --brand-primary: ${primaryColor}; --brand-accent: ${accentColor}; }\n`;
  }

  @Get('logo')
  async logo(@Res() res: Response): Promise<void> {
    const logo = await this.db.asVisitor(async (db) => {
      const rows: Array<{ logo: Buffer | null; logo_content_type: string | null }> = await db.execute(
        'SELECT logo, logo_content_type FROM brandings',
      );
      return rows[0];
    });
    if (!logo?.logo || !logo.logo_content_type) throw new NotFoundError('logo');

    res.setHeader('Content-Type', logo.logo_content_type);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    // An SVG opened directly must not run script or load anything.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.send(logo.logo);
  }
}
