import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { from, Observable, of, switchMap } from 'rxjs';

import { AttachmentParent, attachmentParentOf } from '../../../../libs/attachments/src/attachment-parents';
import { formatByteSize } from '../../../../libs/attachments/src/attachment-file';
import { MAX_ATTACHMENT_SIZE_TEXT } from '../../../../libs/attachments/src/pdf-file';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { RecordAttachmentsService } from './record-attachments.service';

/** Notices after an upload or removal, keyed by the redirect's `done` value. */
const NOTICES: Record<string, string> = {
  attached: 'The PDF is attached.',
  already_attached: 'This PDF was attached already, so nothing was added.',
  attachment_removed: 'The PDF is removed.',
  attachment_already_removed: 'That PDF was removed already.',
};

/** The fields of the staff detail page's result that this interceptor reads. */
interface DetailResult {
  view: 'records/detail';
  kind: { slug: string };
  id: string;
  notice?: string;
  [key: string]: unknown;
}

function isDetailResult(result: unknown): result is DetailResult {
  const candidate = result as Partial<DetailResult> | null;
  return typeof candidate === 'object' && candidate !== null && candidate.view === 'records/detail';
}

/**
 * Adds the attachment list and the upload notices to the staff detail page
 * of every record kind that takes attachments. It wraps the handler's
 * result before RenderViewInterceptor renders it, so it must be registered
 * after that interceptor. Other results pass through unchanged.
 */
@Injectable()
export class AttachmentListInterceptor implements NestInterceptor {
  constructor(
    private readonly attachments: RecordAttachmentsService,
    private readonly scope: RequestScope,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      switchMap((result: unknown) => {
        const parent = isDetailResult(result) ? attachmentParentOf(result.kind.slug) : undefined;
        if (!parent) return of(result);
        return from(this.withAttachments(result as DetailResult, parent, req));
      }),
    );
  }

  private async withAttachments(result: DetailResult, parent: AttachmentParent, req: Request): Promise<DetailResult> {
    const rows = await this.attachments.list(parent, result.id);
    const locale = this.scope.tenant().locale;
    const base = `/records/${parent.slug}/${result.id}/attachments`;
    const done = typeof req.query.done === 'string' ? req.query.done : '';

    return {
      ...result,
      notice: result.notice ?? (Object.hasOwn(NOTICES, done) ? NOTICES[done] : undefined),
      attachments: {
        items: rows.map((row) => ({
          fileName: row.file_name,
          sizeText: formatByteSize(row.byte_size, locale),
          createdAt: row.created_at,
          uploadedBy: row.uploaded_by_name,
          href: `${base}/${row.id}`,
          removeAction: `${base}/${row.id}/remove`,
        })),
        uploadAction: base,
        canRemove: this.scope.staff().role !== 'member',
        maxSizeText: MAX_ATTACHMENT_SIZE_TEXT,
      },
    };
  }
}
