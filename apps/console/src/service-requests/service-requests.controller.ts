import { Body, Controller, Get, Inject, Param, Post, Query, Redirect, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { attachmentEtag, formatByteSize, isClientCopyCurrent } from '../../../../libs/attachments/src/attachment-file';
import { addDays, dateInZone } from '../../../../libs/locale/src';
import { isUuid } from '../../../../libs/records/src/paging';
import { downloadName, sendStoredFile } from '../../../../libs/service-requests/src/stored-file-response';
import { RequestFileType, TYPE_LABELS } from '../../../../libs/service-requests/src/upload-files';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { RecordNotFoundError } from '../records/staff-record-kinds';
import { INBOX_FILTERS, RequestDetail, ServiceRequestInbox } from './service-request-inbox.service';
import { LEAD_STEPS, ServiceRequestTriage } from './service-request-triage.service';

const NOTICES: Record<string, string> = {
  work_order_created: 'The work order is created and shared with the customer. The request shows as triaged on the portal.',
  work_order_exists: 'This request already has a work order, so no second one was created.',
  lead_updated: 'The lead status is saved. The customer sees the new request status on the portal.',
  closed: 'The request is closed.',
};

function field(body: Record<string, unknown>, name: string): string {
  return typeof body[name] === 'string' ? (body[name] as string) : '';
}

/**
 * The service request inbox for every staff role: new requests first, a
 * status filter, each request with its files, and the triage actions that
 * the tenant's intake setting offers. The CSRF middleware has checked every
 * form's token before a POST handler here runs.
 */
@Controller('service-requests')
export class ServiceRequestsController {
  constructor(
    private readonly inbox: ServiceRequestInbox,
    private readonly triage: ServiceRequestTriage,
    private readonly scope: RequestScope,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ServiceRequestsController.name);
  }

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const { status = 'open', after } = singleValues(query, ['status', 'after'] as const);
    const [page, intake] = await Promise.all([this.inbox.list(status, after), this.inbox.intake()]);
    return {
      view: 'service-requests/inbox',
      title: 'Service requests',
      rows: page.rows,
      intakeLabel: intake === 'lead' ? 'leads' : 'work orders',
      filters: Object.entries(INBOX_FILTERS).map(([value, label]) => ({ value, label, active: value === status })),
      nextHref: page.nextCursor ? `/service-requests?status=${status}&after=${encodeURIComponent(page.nextCursor)}` : null,
      canChangeSettings: this.scope.staff().role !== 'member',
    };
  }

  @Get(':id')
  async detail(@Param('id') id: string, @Query() query: Record<string, unknown>) {
    const { done = '' } = singleValues(query, ['done'] as const);
    const { request, attachments } = await this.inbox.detail(id);
    const tenant = this.scope.tenant();
    return {
      view: 'service-requests/detail',
      title: `Service request ${request.number}`,
      request,
      notice: Object.hasOwn(NOTICES, done) ? NOTICES[done] : undefined,
      attachments: attachments.map((file) => ({
        fileName: file.file_name,
        typeLabel: TYPE_LABELS[file.content_type as RequestFileType] ?? file.content_type,
        sizeText: formatByteSize(file.byte_size, tenant.locale),
        href: `/service-requests/${id}/attachments/${file.id}`,
      })),
      actions: this.actionsFor(request),
      leadSteps: Object.entries(LEAD_STEPS).map(([value, step]) => ({ value, label: step.label, current: value === request.lead_status })),
      scheduledDate: this.suggestedDate(request),
    };
  }

  @Post(':id/work-order')
  @Redirect('/service-requests', 303)
  async createWorkOrder(@Param('id') id: string, @Body() body: Record<string, unknown>, @Req() req: Request) {
    const result = await this.triage.createWorkOrder(id, field(body, 'scheduled_date'), field(body, 'scheduled_time'), originOf(req));
    return { url: `/service-requests/${id}?done=work_order_${result.outcome === 'created' ? 'created' : 'exists'}` };
  }

  @Post(':id/lead')
  @Redirect('/service-requests', 303)
  async updateLead(@Param('id') id: string, @Body() body: Record<string, unknown>, @Req() req: Request) {
    await this.triage.updateLead(id, field(body, 'lead_status'), originOf(req));
    return { url: `/service-requests/${id}?done=lead_updated` };
  }

  @Post(':id/close')
  @Redirect('/service-requests', 303)
  async close(@Param('id') id: string, @Req() req: Request) {
    await this.triage.close(id, originOf(req));
    return { url: `/service-requests/${id}?done=closed` };
  }

  @Get(':id/attachments/:attachmentId')
  async download(@Param('id') id: string, @Param('attachmentId') attachmentId: string, @Req() req: Request, @Res() res: Response) {
    if (!isUuid(attachmentId)) throw new RecordNotFoundError('file');
    const { attachments } = await this.inbox.detail(id);
    const file = attachments.find((candidate) => candidate.id === attachmentId);
    if (!file) throw new RecordNotFoundError('file');
    if (isClientCopyCurrent(req, res, attachmentEtag(file.sha256))) {
      res.status(304).end();
      return;
    }

    const tenantId = this.scope.staff().tenantId;
    const stored = await this.storage.get(tenantId, file.storage_key);
    if (!stored) {
      this.logger.error({ tenantId, serviceRequestId: id, attachmentId }, 'attachment row has no stored object');
      throw new RecordNotFoundError('file');
    }
    sendStoredFile(res, stored, file.content_type, downloadName(file.file_name, file.content_type), (error) => {
      this.logger.error({ err: error, tenantId, attachmentId }, 'attachment stream failed');
    });
  }

  /** Returns which triage forms the request's page shows. */
  private actionsFor(request: RequestDetail) {
    const open = request.status !== 'closed';
    return {
      createWorkOrder: open && request.work_order_id === null,
      trackLead: open && request.intake === 'lead',
      close: open,
    };
  }

  /** Suggests the request's first preferred date that is not past, or tomorrow, in the tenant's time zone. */
  private suggestedDate(request: RequestDetail): string {
    const today = dateInZone(new Date(), this.scope.tenant().timeZone);
    const preferred = (request.preferred_dates ?? '').split(', ').find((date) => date >= today && /^\d{4}-\d{2}-\d{2}$/.test(date));
    return preferred ?? addDays(today, 1);
  }
}
