import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { recordDocumentDownloaded } from '../../../../libs/activity/src/activity-actions';
import { originOf } from '../../../../libs/activity/src/activity-log';
import { attachmentEtag, isClientCopyCurrent } from '../../../../libs/attachments/src/attachment-file';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { NotFoundError } from '../../../../libs/observability/src/errors';
import { serviceRequestsKind } from '../../../../libs/records/src/kinds/service-requests.kind';
import { isUuid } from '../../../../libs/records/src/paging';
import { RecordsService } from '../../../../libs/records/src/records.service';
import {
  readRequestForm,
  RequestFormValues,
  validateRequestForm,
  ValidRequestFields,
} from '../../../../libs/service-requests/src/request-form';
import { checkRequestFiles, CheckedRequestFile } from '../../../../libs/service-requests/src/upload-files';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { singleValues } from '../../../../libs/web/src/query-params';
import { RequestUploadRequest } from './request-upload.middleware';
import { requestFormView } from './request-form-view';
import { ServiceRequestForms } from './service-request-form.service';
import { ServiceRequestSubmissions } from './service-request-submission.service';
import { downloadName, sendStoredFile } from '../../../../libs/service-requests/src/stored-file-response';

/** The form's problems per field, or the checked request and files. */
type CheckedForm = { errors: Record<string, string> } | { fields: ValidRequestFields; files: CheckedRequestFile[] };

const NOTICES: Record<string, string> = {
  created: 'Your service request has been submitted. We have emailed you a confirmation.',
  duplicate: 'This form was already submitted, so no second request was created. This is the request it created.',
};

/**
 * The portal's service request form, the request page with its files, and
 * file downloads. The CSRF middleware has checked the form's token before
 * the POST handler runs.
 */
@Controller('service-requests')
export class ServiceRequestsController {
  constructor(
    private readonly forms: ServiceRequestForms,
    private readonly submissions: ServiceRequestSubmissions,
    private readonly records: RecordsService,
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ServiceRequestsController.name);
  }

  @Get('new')
  async newRequest() {
    const principal = this.scope.principal();
    await this.submissions.assertRoomFor(principal.tenantId, principal.userId, this.scope.tenant().branding.supportPhone);
    const values: RequestFormValues = {
      submissionKey: randomUUID(),
      siteId: '',
      equipmentId: '',
      category: '',
      urgency: 'normal',
      description: '',
      preferredDates: [],
    };
    return requestFormView(await this.forms.options(), values, {}, this.today());
  }

  @Post('new')
  async submit(@Req() req: RequestUploadRequest, @Res() res: Response): Promise<void> {
    const values = readRequestForm((req.body ?? {}) as Record<string, unknown>);
    const checked = await this.problemsOf(req, values);
    if ('errors' in checked) {
      const tenantId = this.scope.tenant().id;
      this.logger.info({ tenantId, fields: Object.keys(checked.errors) }, 'service request form rejected');
      // A malformed key would fail every later submit too, so the form gets a fresh one.
      if (checked.errors.submission_key) values.submissionKey = randomUUID();
      const view = requestFormView(await this.forms.options(), values, checked.errors, this.today());
      res.status(400).render(view.view, view);
      return;
    }

    const result = await this.submissions.submit(checked.fields, checked.files, originOf(req));
    res.redirect(303, `/service-requests/${result.id}?submitted=${result.outcome}`);
  }

  @Get(':id')
  async detail(@Param('id') id: string, @Query() query: Record<string, unknown>, @Req() req: Request) {
    const { submitted } = singleValues(query, ['submitted'] as const);
    const record = await this.records.detail(serviceRequestsKind, id, originOf(req));
    const attachments = await this.forms.attachments(id);
    return {
      view: 'records/service-requests-detail',
      title: 'Service request',
      section: 'service-requests',
      kind: serviceRequestsKind,
      record,
      attachments: attachments.map((file) => ({ ...file, href: `/service-requests/${id}/attachments/${file.id}` })),
      notice: submitted && Object.hasOwn(NOTICES, submitted) ? NOTICES[submitted] : undefined,
    };
  }

  @Get(':id/attachments/:attachmentId')
  async download(
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!isUuid(id) || !isUuid(attachmentId)) throw new NotFoundError('file');
    const [file] = await this.db.asCustomer((db) =>
      db.execute<Array<{ file_name: string; sha256: string; storage_key: string; content_type: string }>>(
        `SELECT file_name, sha256, storage_key, content_type FROM record_attachments WHERE id = ? AND service_request_id = ?`,
        [attachmentId, id],
      ),
    );
    if (!file) throw new NotFoundError('file');
    if (isClientCopyCurrent(req, res, attachmentEtag(file.sha256))) {
      res.status(304).end();
      return;
    }

    const tenantId = this.scope.tenant().id;
    const stored = await this.storage.get(tenantId, file.storage_key);
    if (!stored) {
      this.logger.error({ tenantId, serviceRequestId: id, attachmentId }, 'attachment row has no stored object');
      throw new NotFoundError('file');
    }
    const name = downloadName(file.file_name, file.content_type);
    await this.db.asCustomer((db) => recordDocumentDownloaded(db, { kind: 'service-requests', recordId: id, fileName: name }, originOf(req)));
    sendStoredFile(res, stored, file.content_type, name, (error) => {
      this.logger.error({ err: error, tenantId, attachmentId }, 'attachment stream failed');
    });
  }

  private today(): string {
    return this.records.queryContext().today;
  }

  /** Runs every check of the form and its files; returns the problems per field, or the checked request. */
  private async problemsOf(req: RequestUploadRequest, values: RequestFormValues): Promise<CheckedForm> {
    const errors: Record<string, string> = {};
    const validated = validateRequestForm(values, this.today());
    if ('errors' in validated) Object.assign(errors, validated.errors);

    const upload = req.requestUpload ?? { files: [] };
    const checkedFiles = upload.problem ? { problem: upload.problem } : checkRequestFiles(upload.files, this.scope.tenant().locale);
    if ('problem' in checkedFiles) errors.attachments = checkedFiles.problem;

    if ('fields' in validated) Object.assign(errors, await this.forms.checkPlace(validated.fields.siteId, validated.fields.equipmentId));
    if (Object.keys(errors).length > 0 || !('fields' in validated) || !('files' in checkedFiles)) return { errors };
    return { fields: validated.fields, files: checkedFiles.files };
  }
}
