import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { DOCUMENT_KIND_BY_SLUG, DocumentRequest, PreparedDocument, prepareDocument } from '../../../../libs/documents/src/prepared-document';
import { DOCUMENT_QUEUE, DocumentJob } from '../../../../libs/queue/src/queues';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { queueDocumentRender, RenderQueueOutcome } from '../../../../libs/documents/src/render-queue';
import { REDIS } from '../../../../libs/redis/src/redis.module';

/**
 * Finds a record's customer document and queues its render. Documents show
 * what the record's company sees, so the data is read through that
 * company's customer role: a record that is not shared has no document.
 */
@Injectable()
export class ConsoleDocuments {
  constructor(
    private readonly db: TenantDatabase,
    @InjectQueue(DOCUMENT_QUEUE) private readonly queue: Queue<DocumentJob>,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ConsoleDocuments.name);
  }

  /** The record's document as its company sees it, or null when the kind has none or the company cannot see it. */
  async prepare(tenantId: string, slug: string, recordId: string, companyId: string): Promise<{ request: DocumentRequest; prepared: PreparedDocument } | null> {
    const kind = Object.hasOwn(DOCUMENT_KIND_BY_SLUG, slug) ? DOCUMENT_KIND_BY_SLUG[slug] : undefined;
    if (!kind) return null;
    const request: DocumentRequest = { tenantId, companyId, kind, recordId };
    const prepared = await this.db.asCompanyViewerFor(tenantId, companyId, (db) => prepareDocument(db, request));
    return prepared ? { request, prepared } : null;
  }

  /** Queues a render for a staff user, or joins the job already queued; see queueDocumentRender. */
  queueRender(request: DocumentRequest, jobId: string, requester: string): Promise<RenderQueueOutcome> {
    return queueDocumentRender(this.queue, this.redis, request, jobId, `staff-${requester}`, this.config.DOCUMENT_RENDERS_PER_MINUTE);
  }

  /**
   * Queues the documents of records that were just shared, so the first
   * customer to ask finds them ready. A failure here is only logged: the
   * portal queues a missing document on its own when it is asked for.
   */
  async prerender(tenantId: string, slug: string, records: Array<{ id: string; companyId: string }>): Promise<void> {
    for (const record of records) {
      try {
        const found = await this.prepare(tenantId, slug, record.id, record.companyId);
        if (found) await this.queueRender(found.request, found.prepared.jobId, 'sharing');
      } catch (error) {
        this.logger.error({ err: error, tenantId, kind: slug, recordId: record.id }, 'document of a shared record not queued');
      }
    }
  }
}
