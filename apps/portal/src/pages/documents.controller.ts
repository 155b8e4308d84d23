import { createHash } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { recordDocumentDownloaded } from '../../../../libs/activity/src/activity-actions';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import type { DocumentKind } from '../../../../libs/documents/src/document-kinds';
import { DOCUMENT_KIND_BY_SLUG, DocumentRequest, prepareDocument } from '../../../../libs/documents/src/prepared-document';
import { queueDocumentRender } from '../../../../libs/documents/src/render-queue';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { REDIS } from '../../../../libs/redis/src/redis.module';
import { NotFoundError } from '../../../../libs/observability/src/errors';
import { DOCUMENT_QUEUE, DocumentJob } from '../../../../libs/queue/src/queues';
import { WebhookOutbox } from '../../../../libs/queue/src/webhook-outbox';
import { isUuid } from '../../../../libs/records/src/paging';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { sendDocumentNotReady, sendPdf } from '../../../../libs/web/src/pdf-responses';

/**
 * PDF downloads of records. The record is looked up with the same
 * row-level security as its page, so another company's or an unshared
 * record is a 404. A document that is not stored yet is queued for
 * rendering, and a page that reloads itself is shown until it is ready.
 */
@Controller()
export class DocumentsController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    @InjectQueue(DOCUMENT_QUEUE) private readonly queue: Queue<DocumentJob>,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly webhooks: WebhookOutbox,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(DocumentsController.name);
  }

  @Get('compliance/summary.pdf')
  complianceSummary(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.download(req, res, 'compliance-summary', 'compliance', this.scope.principal().companyId);
  }

  @Get(':kind/:id/pdf')
  recordDocument(@Param('kind') slug: string, @Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const kind = Object.hasOwn(DOCUMENT_KIND_BY_SLUG, slug) ? DOCUMENT_KIND_BY_SLUG[slug] : undefined;
    if (!kind || !isUuid(id)) throw new NotFoundError('document');
    return this.download(req, res, kind, slug, id);
  }

  private async download(req: Request, res: Response, kind: DocumentKind, slug: string, recordId: string): Promise<void> {
    const principal = this.scope.principal();
    const request: DocumentRequest = { tenantId: principal.tenantId, companyId: principal.companyId, kind, recordId };
    const prepared = await this.db.asCustomer((db) => prepareDocument(db, request));
    if (!prepared) throw new NotFoundError('document');

    // The key changes with the content, so it makes a strong validator.
    const etag = `"${createHash('sha256').update(prepared.key).digest('base64url')}"`;
    res.setHeader('Cache-Control', 'private, no-cache');
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }

    const stored = await this.storage.get(principal.tenantId, prepared.key);
    if (!stored) return this.preparing(res, request, prepared.jobId, slug, recordId);

    // A HEAD request sends no document, so it is no download.
    if (req.method !== 'HEAD') await this.recordDownload(req, request, slug, prepared.fileName);
    res.setHeader('ETag', etag);
    sendPdf(res, stored, prepared.fileName, (error) =>
      this.logger.error({ err: error, tenantId: principal.tenantId, kind }, 'document stream failed'),
    );
  }

  /**
   * Logs the download and records a document.viewed webhook event in one
   * transaction, which commits asynchronously (see recordDocumentDownloaded),
   * then queues the event's deliveries. A failed queue call is logged
   * rather than raised, because the worker's webhook sweep queues them later.
   */
  private async recordDownload(req: Request, request: DocumentRequest, slug: string, fileName: string): Promise<void> {
    const principal = this.scope.principal();
    const event = await this.db.asCustomer(async (db) => {
      await recordDocumentDownloaded(db, { kind: slug, recordId: request.recordId, fileName }, originOf(req));
      return this.webhooks.record(db, {
        type: 'document.viewed',
        data: {
          document_kind: request.kind,
          record_id: request.recordId,
          company_id: principal.companyId,
          portal_user_id: principal.userId,
          file_name: fileName,
        },
      });
    });
    await this.webhooks.dispatch(principal.tenantId, event).catch((error: unknown) =>
      this.logger.error({ err: error, tenantId: principal.tenantId, eventId: event.eventId }, 'webhook deliveries recorded but not queued'),
    );
  }

  /** Queues the render, or joins the job already queued, and renders the not-ready page. */
  private async preparing(res: Response, request: DocumentRequest, jobId: string, slug: string, recordId: string): Promise<void> {
    const requester = this.scope.principal().userId;
    const outcome = await queueDocumentRender(this.queue, this.redis, request, jobId, requester, this.config.DOCUMENT_RENDERS_PER_MINUTE);
    if (outcome === 'queued') this.logger.info({ tenantId: request.tenantId, kind: request.kind }, 'document queued for rendering');
    if (outcome === 'failed-recently' || outcome === 'over-limit') {
      this.logger.warn({ tenantId: request.tenantId, kind: request.kind, outcome }, 'document not queued');
    }
    const backHref = request.kind === 'compliance-summary' ? '/compliance' : `/${slug}/${recordId}`;
    sendDocumentNotReady(res, outcome, 'Preparing your document', backHref);
  }
}
