import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { DomainError, NotFoundError } from '../../../../libs/observability/src/errors';
import { DOCUMENT_KIND_BY_SLUG } from '../../../../libs/documents/src/prepared-document';
import { isUuid } from '../../../../libs/records/src/paging';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { staffKindOf } from '../records/staff-record-kinds';
import { ConsoleDocuments } from './document-queue.service';

const REFRESH_SECONDS = 2;

/** Lets any staff role download the PDF a record's customers get, once the record is shared. */
@Controller('records')
export class RecordDocumentsController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly documents: ConsoleDocuments,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(RecordDocumentsController.name);
  }

  @Get(':kind/:id/pdf')
  async download(@Param('kind') slug: string, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const staffKind = staffKindOf(slug);
    if (!Object.hasOwn(DOCUMENT_KIND_BY_SLUG, slug) || !isUuid(id)) throw new NotFoundError('document');
    const tenantId = this.scope.staff().tenantId;
    const [record] = await this.db.asStaff((db) =>
      db.execute<Array<{ company_id: string; shared: boolean }>>(
        `SELECT company_id, shared_at IS NOT NULL AS shared FROM ${staffKind.table} WHERE id = ?`,
        [id],
      ),
    );
    if (!record) throw new NotFoundError(staffKind.kind.singular.toLowerCase());
    if (!record.shared) {
      throw new DomainError('conflict', 409, 'This record is not shared, so it has no customer document yet. Share it to prepare the PDF.');
    }

    const found = await this.documents.prepare(tenantId, slug, id, record.company_id);
    if (!found) throw new NotFoundError('document');
    const stored = await this.storage.get(tenantId, found.prepared.key);
    if (!stored) {
      const outcome = await this.documents.queueRender(found.request, found.prepared.jobId, this.scope.staff().userId);
      const backHref = `/records/${slug}/${id}`;
      res.setHeader('Cache-Control', 'no-store');
      if (outcome === 'failed-recently' || outcome === 'over-limit') {
        res.status(outcome === 'over-limit' ? 429 : 503).setHeader('Retry-After', '60');
        res.render('pages/document-unavailable', { title: 'Document not ready', overLimit: outcome === 'over-limit', backHref });
        return;
      }
      res.status(202);
      res.render('pages/document-preparing', { title: 'Preparing the document', refreshSeconds: REFRESH_SECONDS, backHref });
      return;
    }

    const { fileName } = found.prepared;
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Length', String(stored.size));
    res.setHeader('Content-Disposition', `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    stored.stream.on('error', (error) => {
      this.logger.error({ err: error, tenantId, kind: slug }, 'document stream failed');
      res.destroy(error);
    });
    stored.stream.pipe(res);
  }
}
