import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { Request } from 'express';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { RECORD_KINDS } from '../../../../libs/records/src/kinds';
import { RecordsService } from '../../../../libs/records/src/records.service';
import { singleValues } from '../../../../libs/web/src/query-params';
import { answeredNotice } from '../proposals/proposal-responses.controller';

@Controller()
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Get(':kind')
  async list(@Param('kind') slug: string, @Query() query: Record<string, unknown>) {
    const kind = this.records.kind(slug);
    const params = singleValues(query, ['status', 'after', 'before'] as const);
    const page = await this.records.list(kind, params);
    return {
      view: `records/${kind.slug}-list`,
      title: kind.title,
      section: kind.slug,
      page,
      filters: [
        { value: 'all', label: 'All', active: page.status === 'all' },
        ...Object.entries(kind.filters).map(([value, filter]) => ({
          value,
          label: filter.label,
          active: page.status === value,
        })),
      ],
      statusQuery: page.status === 'all' ? '' : `status=${encodeURIComponent(page.status)}&`,
    };
  }

  @Get(':kind/:id')
  async detail(@Param('kind') slug: string, @Param('id') id: string, @Query('done') done: unknown, @Req() req: Request) {
    const kind = this.records.kind(slug);
    const record = await this.records.detail(kind, id, originOf(req));
    const notice = kind.slug === 'proposals' ? answeredNotice(done, record) : undefined;
    return { view: `records/${kind.slug}-detail`, title: `${kind.singular}`, section: kind.slug, kind, record, notice };
  }
}

/** Navigation entries, in the order of RECORD_KINDS. */
export const NAVIGATION = RECORD_KINDS.map((kind) => ({ slug: kind.slug, title: kind.title }));
