import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { recordDocumentDownloaded } from '../../../../libs/activity/src/activity-actions';
import { originOf } from '../../../../libs/activity/src/activity-log';
import { attachmentParentOf } from '../../../../libs/attachments/src/attachment-parents';
import {
  attachmentDownloadName,
  attachmentEtag,
  isClientCopyCurrent,
} from '../../../../libs/attachments/src/attachment-file';
import { sendPdf } from '../../../../libs/web/src/pdf-responses';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { NotFoundError } from '../../../../libs/observability/src/errors';
import { isUuid } from '../../../../libs/records/src/paging';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';

interface CustomerAttachment {
  file_name: string;
  sha256: string;
  storage_key: string;
}

/**
 * Downloads of the PDFs staff attached to a contract or a compliance
 * document. The attachment is looked up under the customer's row-level
 * security, which shows it only while its record is shared with the
 * customer's company, so any other attachment is the same 404 as a missing one.
 */
@Controller()
export class RecordAttachmentsController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(RecordAttachmentsController.name);
  }

  @Get(':kind/:id/attachments/:attachmentId')
  async download(
    @Param('kind') slug: string,
    @Param('id') recordId: string,
    @Param('attachmentId') attachmentId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const parent = attachmentParentOf(slug);
    if (!parent || !isUuid(recordId) || !isUuid(attachmentId)) throw new NotFoundError('document');

    const [attachment] = await this.db.asCustomer((db) =>
      db.execute<CustomerAttachment[]>(
        `SELECT file_name, sha256, storage_key FROM record_attachments WHERE id = ? AND ${parent.column} = ?`,
        [attachmentId, recordId],
      ),
    );
    if (!attachment) throw new NotFoundError('document');

    if (isClientCopyCurrent(req, res, attachmentEtag(attachment.sha256))) {
      res.status(304).end();
      return;
    }

    const { tenantId } = this.scope.principal();
    const stored = await this.storage.get(tenantId, attachment.storage_key);
    if (!stored) {
      this.logger.error({ tenantId, kind: slug, recordId, attachmentId }, 'attachment row has no stored object');
      throw new NotFoundError('document');
    }

    const fileName = attachmentDownloadName(attachment.file_name);
    await this.db.asCustomer((db) => recordDocumentDownloaded(db, { kind: slug, recordId, fileName }, originOf(req)));
    sendPdf(res, stored, fileName, (error) => {
      this.logger.error({ err: error, tenantId, kind: slug, attachmentId }, 'attachment stream failed');
    });
  }
}
