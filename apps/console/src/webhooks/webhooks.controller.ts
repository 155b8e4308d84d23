import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { NotFoundError } from '../../../../libs/observability/src/errors';
import { decodeCursor, isUuid } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { WEBHOOK_EVENT_TYPES } from '../../../../libs/webhooks/src/event-types';
import { WebhookTargetError, WebhookTargetResolver } from '../../../../libs/webhooks/src/webhook-target';
import { Roles } from '../auth/staff-auth.guard';
import { eventChoices, MAX_DESCRIPTION_LENGTH, parseWebhookForm, WebhookFormValues } from './webhook-form';
import { EndpointSettings, WebhookEndpointsService } from './webhook-endpoints.service';

const NOTICES: Record<string, string> = {
  created: 'Endpoint added. Copy its signing secret below into the receiving application.',
  saved: 'Endpoint saved.',
  enabled: 'Endpoint enabled. New events are sent to it.',
  disabled: 'Endpoint disabled. No events are sent to it until it is enabled again.',
  deleted: 'Endpoint deleted.',
  rotated: 'New signing secret created. Requests are signed with it from now on, so update the receiving application.',
  tested: 'Test event queued. It appears in the delivery log below.',
  redelivered: 'Delivery queued again with the same event id.',
};

const EVENT_LABELS = new Map<string, string>(WEBHOOK_EVENT_TYPES.map((entry) => [entry.type, entry.label]));

function endpointId(id: string): string {
  if (!isUuid(id)) throw new NotFoundError('webhook endpoint');
  return id;
}

function noticeOf(query: Record<string, unknown>): string | undefined {
  const { done } = singleValues(query, ['done'] as const);
  return done && Object.hasOwn(NOTICES, done) ? NOTICES[done] : undefined;
}

/**
 * Settings → Webhooks, for owners and admins: endpoints, their signing
 * secrets, test events and the delivery log with redelivery. URLs are
 * resolved when saved, and one that leads to an internal address is
 * rejected with the reason.
 */
@Roles('owner', 'admin')
@Controller('settings/webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly resolver: WebhookTargetResolver,
    private readonly scope: RequestScope,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(WebhooksController.name);
  }

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const rows = await this.endpoints.list();
    return {
      view: 'pages/webhooks',
      title: 'Webhooks',
      notice: noticeOf(query),
      endpoints: rows.map((row) => ({ ...row, events: row.event_types.join(', ') })),
    };
  }

  @Get('new')
  newForm() {
    return this.formPage(null, { url: '', description: '', eventTypes: [] }, {});
  }

  @Post()
  async create(@Req() req: Request, @Res() res: Response): Promise<void> {
    const settings = await this.checkedSettings(req, res, null);
    if (!settings) return;
    const id = await this.endpoints.create(settings, originOf(req));
    this.logger.info({ tenantId: this.scope.tenant().id, endpointId: id }, 'webhook endpoint created');
    res.redirect(303, `/settings/webhooks/${id}?done=created`);
  }

  @Get(':id')
  async detail(@Param('id') rawId: string, @Query() query: Record<string, unknown>) {
    const id = endpointId(rawId);
    const { after } = singleValues(query, ['after'] as const);
    const cursor = after ? decodeCursor(after, 'timestamp', 'after') : null;
    const { endpoint, secret, deliveries, olderCursor } = await this.endpoints.detail(id, cursor);
    return {
      view: 'pages/webhook-endpoint',
      title: 'Webhook endpoint',
      notice: noticeOf(query),
      endpoint: { ...endpoint, events: endpoint.event_types.map((type) => ({ type, label: EVENT_LABELS.get(type) ?? type })) },
      secret,
      deliveries,
      olderCursor,
      isFirstPage: cursor === null,
    };
  }

  @Get(':id/edit')
  async editForm(@Param('id') rawId: string) {
    const { endpoint } = await this.endpoints.detail(endpointId(rawId));
    return this.formPage(endpoint.id, { url: endpoint.url, description: endpoint.description, eventTypes: endpoint.event_types }, {});
  }

  @Post(':id')
  async update(@Param('id') rawId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const id = endpointId(rawId);
    const settings = await this.checkedSettings(req, res, id);
    if (!settings) return;
    await this.endpoints.update(id, settings, originOf(req));
    res.redirect(303, `/settings/webhooks/${id}?done=saved`);
  }

  @Post(':id/enable')
  async enable(@Param('id') rawId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const id = endpointId(rawId);
    await this.endpoints.setEnabled(id, true, originOf(req));
    res.redirect(303, `/settings/webhooks/${id}?done=enabled`);
  }

  @Post(':id/disable')
  async disable(@Param('id') rawId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const id = endpointId(rawId);
    await this.endpoints.setEnabled(id, false, originOf(req));
    res.redirect(303, `/settings/webhooks/${id}?done=disabled`);
  }

  @Post(':id/delete')
  async remove(@Param('id') rawId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.endpoints.remove(endpointId(rawId), originOf(req));
    res.redirect(303, '/settings/webhooks?done=deleted');
  }

  @Post(':id/rotate-secret')
  async rotateSecret(@Param('id') rawId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const id = endpointId(rawId);
    await this.endpoints.rotateSecret(id, originOf(req));
    res.redirect(303, `/settings/webhooks/${id}?done=rotated`);
  }

  @Post(':id/test')
  async sendTest(@Param('id') rawId: string, @Res() res: Response): Promise<void> {
    const id = endpointId(rawId);
    await this.endpoints.sendTest(id);
    res.redirect(303, `/settings/webhooks/${id}?done=tested`);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  async redeliver(@Param('id') rawId: string, @Param('deliveryId') deliveryId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const id = endpointId(rawId);
    if (!isUuid(deliveryId)) throw new NotFoundError('webhook delivery');
    await this.endpoints.redeliver(id, deliveryId, originOf(req));
    this.logger.info({ tenantId: this.scope.tenant().id, endpointId: id, deliveryId }, 'webhook delivery queued again');
    res.redirect(303, `/settings/webhooks/${id}?done=redelivered`);
  }

  /**
   * Parses the form and resolves the URL. Returns the settings to save, or
   * renders the form again with every problem and returns null.
   */
  private async checkedSettings(req: Request, res: Response, id: string | null): Promise<EndpointSettings | null> {
    const form = parseWebhookForm((req.body ?? {}) as Record<string, unknown>);
    let url = form.values.url;
    if (!form.problems.url) {
      try {
        url = (await this.resolver.vet(form.values.url)).url.href;
      } catch (error) {
        if (!(error instanceof WebhookTargetError)) throw error;
        form.problems.url = error.message;
        this.logger.info({ tenantId: this.scope.tenant().id, reason: error.reason }, 'webhook URL rejected');
      }
    }
    if (Object.keys(form.problems).length > 0) {
      if (id) await this.endpoints.detail(id);
      const page = this.formPage(id, form.values, form.problems);
      res.status(400).render(page.view, page);
      return null;
    }
    return { url, description: form.values.description, eventTypes: form.eventTypes };
  }

  private formPage(id: string | null, values: WebhookFormValues, problems: Record<string, string>) {
    const hasProblems = Object.keys(problems).length > 0;
    const heading = id ? 'Edit webhook endpoint' : 'Add a webhook endpoint';
    return {
      view: 'pages/webhook-form',
      title: hasProblems ? `Error: ${heading}` : heading,
      heading,
      action: id ? `/settings/webhooks/${id}` : '/settings/webhooks',
      cancelHref: id ? `/settings/webhooks/${id}` : '/settings/webhooks',
      values,
      events: eventChoices(values.eventTypes),
      problems,
      problemList: Object.entries(problems).map(([field, message]) => ({ field, message })),
      maxDescription: MAX_DESCRIPTION_LENGTH,
    };
  }
}
