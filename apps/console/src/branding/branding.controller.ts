import { Body, Controller, Get, Header, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { LogoRejectedError, prepareLogo, PreparedLogo } from '../../../../libs/branding/src/logo-image';
import { InvalidInputError, NotFoundError } from '../../../../libs/observability/src/errors';
import { singleValues } from '../../../../libs/web/src/query-params';
import { Roles } from '../auth/staff-auth.guard';
import { parseBrandingForm } from './branding-form';
import { brandingPage, PageProblems } from './branding-page';
import { BrandingSettingsService, ColorField } from './branding-settings.service';
import type { UploadRequest } from './logo-upload.middleware';

declare module 'express-session' {
  interface SessionData {
    /** Parts the sanitizer removed from the last saved SVG logo, shown once on the next page. */
    brandingRemoved: string[];
  }
}

const DONE_VALUES = new Set(['saved', 'unchanged', 'darkened']);

/** Checks the uploaded logo and returns it ready to store, or records why it is rejected. */
function checkLogo(req: UploadRequest, removeLogo: boolean, problems: PageProblems): { logo?: PreparedLogo; status: number } {
  const upload = req.logoUpload ?? {};
  if (upload.problem) {
    problems.sentences[upload.problem.field] = upload.problem.message;
    return { status: upload.problem.status };
  }
  if (!upload.file) return { status: 400 };
  if (removeLogo) {
    problems.sentences.logo = 'Choose a new logo or remove the current one, not both.';
    return { status: 400 };
  }
  try {
    return { logo: prepareLogo(upload.file), status: 400 };
  } catch (error) {
    if (!(error instanceof LogoRejectedError)) throw error;
    problems.sentences.logo = error.message;
    return { status: 400 };
  }
}

/**
 * Settings → Branding: the portal's name, colours, contact details and logo,
 * for owners and admins. The tenant is always the signed-in staff user's.
 */
@Roles('owner', 'admin')
@Controller('settings/branding')
export class BrandingController {
  constructor(private readonly branding: BrandingSettingsService) {}

  @Get()
  async page(@Req() req: Request, @Query() query: Record<string, unknown>) {
    const { done } = singleValues(query, ['done'] as const);
    const removed = req.session.brandingRemoved;
    if (removed) delete req.session.brandingRemoved;
    return brandingPage(await this.branding.load(), { done: done && DONE_VALUES.has(done) ? done : undefined, removed });
  }

  @Post()
  async save(@Req() req: UploadRequest, @Res() res: Response): Promise<void> {
    const form = parseBrandingForm((req.body ?? {}) as Record<string, unknown>);
    const problems: PageProblems = { fields: form.problems, sentences: {} };
    const { logo, status } = checkLogo(req, form.removeLogo, problems);

    const hasProblems = Object.keys(problems.fields).length + Object.keys(problems.sentences).length > 0;
    if (hasProblems || !form.columns) {
      const page = brandingPage(await this.branding.load(), { values: form.values, problems, removeLogo: form.removeLogo });
      res.status(status).render(page.view, page);
      return;
    }

    const changed = await this.branding.save({ columns: form.columns, logo, removeLogo: form.removeLogo }, originOf(req));
    if (logo && logo.removed.length > 0) req.session.brandingRemoved = logo.removed;
    res.redirect(303, `/settings/branding?done=${changed.length > 0 ? 'saved' : 'unchanged'}`);
  }

  @Post('darker-shade')
  async darkerShade(@Req() req: Request, @Res() res: Response, @Body('field') field: unknown): Promise<void> {
    if (field !== 'primary_color' && field !== 'accent_color') {
      throw new InvalidInputError({ field: 'must be primary_color or accent_color' });
    }
    const changed = await this.branding.applyDarkerShade(field as ColorField, originOf(req));
    res.redirect(303, `/settings/branding?done=${changed.length > 0 ? 'darkened' : 'unchanged'}`);
  }

  /** Serves the saved logo for the preview, because the console's CSP does not allow the portal's copy on another origin. */
  @Get('logo')
  async logo(@Res() res: Response): Promise<void> {
    const logo = await this.branding.logo();
    if (!logo) throw new NotFoundError('logo');
    res.setHeader('Content-Type', logo.contentType);
    // An SVG opened directly must not run script or load anything.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.send(logo.bytes);
  }

  /** Serves the saved colours as custom properties of the preview panel, so it shows them without script. */
  @Get('preview.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  async previewStyles(): Promise<string> {
    const { primary_color, accent_color } = await this.branding.load();
    // Both colours were checked against ^#[0-9a-f]{6}$ by the database.
    return `.brand-preview { --preview-primary: ${primary_color}; --preview-accent: ${accent_color}; }\n`;
  }
}
