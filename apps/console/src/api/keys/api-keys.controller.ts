import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { hasControlCharacters } from '../../../../../libs/access/src/contact-fields';
import { originOf } from '../../../../../libs/activity/src/activity-log';
import { InvalidInputError, NotFoundError } from '../../../../../libs/observability/src/errors';
import { isUuid } from '../../../../../libs/records/src/paging';
import { singleValues } from '../../../../../libs/web/src/query-params';
import { Roles } from '../../auth/staff-auth.guard';
import { ApiKeysService, KEY_SCOPES, KeyScope } from './api-keys.service';

const NOTICES: Record<string, string> = {
  revoked: 'The key is revoked. Requests with it now get 401.',
};

interface KeyForm {
  name: string;
  scope: string;
}

/** Settings → API keys, for owners and admins: create a key (shown once), list and revoke keys. */
@Roles('owner', 'admin')
@Controller('settings/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const { done = '' } = singleValues(query, ['done'] as const);
    return this.page({ notice: NOTICES[done] });
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const form = { name: typeof body.name === 'string' ? body.name.trim() : '', scope: String(body.scope ?? '') };
    const problems = formProblems(form);
    if (Object.keys(problems).length > 0) {
      res.status(400);
      return this.page({ form, problems, hasProblems: true });
    }
    const fullKey = await this.keys.create(form.name, form.scope as KeyScope, originOf(req));
    res.status(201);
    return this.page({ createdKey: fullKey, createdName: form.name });
  }

  @Post(':id/revoke')
  async revoke(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!isUuid(id)) throw new InvalidInputError({ id: 'must be an API key id' });
    if (!(await this.keys.revoke(id, originOf(req)))) throw new NotFoundError('API key');
    res.redirect(303, '/settings/api-keys?done=revoked');
  }

  private async page(extra: Record<string, unknown>) {
    return {
      view: 'pages/api-keys',
      title: 'API keys',
      keys: await this.keys.list(),
      scopes: KEY_SCOPES,
      form: { name: '', scope: 'read' },
      ...extra,
    };
  }
}

function formProblems(form: KeyForm): Record<string, string> {
  const problems: Record<string, string> = {};
  if (form.name === '') problems.name = 'is required';
  else if (form.name.length > 100) problems.name = 'must be at most 100 characters';
  else if (hasControlCharacters(form.name)) problems.name = 'must not contain control characters';
  if (!(KEY_SCOPES as readonly string[]).includes(form.scope)) problems.scope = `must be one of ${KEY_SCOPES.join(', ')}`;
  return problems;
}
