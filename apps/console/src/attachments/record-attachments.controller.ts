import { Controller, Get, Inject, Param, Post, Redirect, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { AttachmentParent, attachmentParentOf } from '../../../../libs/attachments/src/attachment-parents';
import {
  attachmentDownloadName,
  attachmentEtag,
  isClientCopyCurrent,
} from '../../../../libs/attachments/src/attachment-file';
import { sendPdf } from '../../../../libs/web/src/pdf-responses';
import { assertPdf, PdfRejectedError } from '../../../../libs/attachments/src/pdf-file';
import { originOf } from '../../../../libs/activity/src/activity-log';
import { isUuid } from '../../../../libs/records/src/paging';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { Roles } from '../auth/staff-auth.guard';
import { RecordNotFoundError } from '../records/staff-record-kinds';
import type { AttachmentUploadRequest } from './attachment-upload.middleware';
import { CheckedPdf, RecordAttachmentsService } from './record-attachments.service';

/** Returns the parent kind, or throws the record 404 for another kind or a malformed record id. */
function parentOf(slug: string, recordId: string): AttachmentParent {
  const parent = attachmentParentOf(slug);
  if (!parent) throw new RecordNotFoundError();
  if (!isUuid(recordId)) throw new RecordNotFoundError(parent.singular);
  return parent;
}

/** Returns the checked PDF, or the status and message of the rejection. */
function checkUpload(req: AttachmentUploadRequest): CheckedPdf | PdfRejectedError {
  const upload = req.attachmentUpload ?? {};
  if (upload.problem) return new PdfRejectedError(upload.problem.status, upload.problem.message);
  if (!upload.file) return new PdfRejectedError(400, 'No file was chosen. Choose a PDF file to attach.');
  try {
    assertPdf(upload.file.bytes);
  } catch (error) {
    if (error instanceof PdfRejectedError) return error;
    throw error;
  }
  return upload.file;
}

/**
 * PDFs attached to contracts and compliance documents, such as a signed
 * contract or an authority's certificate. Any staff role may attach and
 * download them. Only owners and admins may remove one, because customers
 * may already rely on it. The CSRF middleware has checked every form's token
 * before a handler here runs.
 */
@Controller('records')
export class RecordAttachmentsController {
  constructor(
    private readonly attachments: RecordAttachmentsService,
    private readonly scope: RequestScope,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(RecordAttachmentsController.name);
  }

  @Post(':kind/:id/attachments')
  async upload(
    @Param('kind') slug: string,
    @Param('id') id: string,
    @Req() req: AttachmentUploadRequest,
    @Res() res: Response,
  ): Promise<void> {
    const parent = parentOf(slug, id);
    const checked = checkUpload(req);
    if (checked instanceof PdfRejectedError) {
      const fields = { tenantId: this.scope.staff().tenantId, kind: slug, recordId: id, status: checked.status };
      this.logger.info({ ...fields, reason: checked.message }, 'attachment upload rejected');
      res.status(checked.status).render('pages/attachment-rejected', {
        title: 'The PDF was not attached',
        message: checked.message,
        backHref: `/records/${slug}/${id}`,
        singular: parent.singular,
      });
      return;
    }

    const outcome = await this.attachments.attach(parent, id, checked, originOf(req));
    res.redirect(303, `/records/${slug}/${id}?done=${outcome}`);
  }

  @Get(':kind/:id/attachments/:attachmentId')
  async download(
    @Param('kind') slug: string,
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const parent = parentOf(slug, id);
    if (!isUuid(attachmentId)) throw new RecordNotFoundError('attachment');
    const attachment = await this.attachments.find(parent, id, attachmentId);
    if (!attachment) throw new RecordNotFoundError('attachment');

    const etag = attachmentEtag(attachment.sha256);
    if (isClientCopyCurrent(req, res, etag)) {
      res.status(304).end();
      return;
    }

    const tenantId = this.scope.staff().tenantId;
    const stored = await this.storage.get(tenantId, attachment.storage_key);
    if (!stored) {
      this.logger.error({ tenantId, kind: slug, recordId: id, attachmentId }, 'attachment row has no stored object');
      throw new RecordNotFoundError('attachment');
    }
    sendPdf(res, stored, attachmentDownloadName(attachment.file_name), (error) => {
      this.logger.error({ err: error, tenantId, kind: slug, attachmentId }, 'attachment stream failed');
    });
  }

  @Roles('owner', 'admin')
  @Post(':kind/:id/attachments/:attachmentId/remove')
  @Redirect('/records', 303)
  async remove(
    @Param('kind') slug: string,
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
    @Req() req: Request,
  ) {
    const parent = parentOf(slug, id);
    if (!isUuid(attachmentId)) throw new RecordNotFoundError('attachment');
    const removed = await this.attachments.remove(parent, id, attachmentId, originOf(req));
    return { url: `/records/${slug}/${id}?done=${removed ? 'attachment_removed' : 'attachment_already_removed'}` };
  }
}
