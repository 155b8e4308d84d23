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
import { sendDocumentNotReady, sendPdf } from '../../../../libs/web/src/pdf-responses';
import { staffKindOf } from '../records/staff-record-kinds';
import { ConsoleDocuments } from './document-queue.service';

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
      sendDocumentNotReady(res, outcome, 'Preparing the document', `/records/${slug}/${id}`);
      return;
    }

    sendPdf(res, stored, found.prepared.fileName, (error) =>
      this.logger.error({ err: error, tenantId, kind: slug }, 'document stream failed'),
    );
  }
}
