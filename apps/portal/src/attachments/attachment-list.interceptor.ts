import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { from, Observable, of, switchMap } from 'rxjs';

import { AttachmentParent, attachmentParentOf } from '../../../../libs/attachments/src/attachment-parents';
import { formatByteSize } from '../../../../libs/attachments/src/attachment-file';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';

/** The fields of a portal record page's result that this interceptor reads. */
interface DetailResult {
  view: string;
  kind: { slug: string };
  record: { id: unknown };
  [key: string]: unknown;
}

function isDetailResult(result: unknown): result is DetailResult {
  const candidate = result as Partial<DetailResult> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.view === 'string' &&
    candidate.view.endsWith('-detail') &&
    typeof candidate.kind?.slug === 'string' &&
    typeof candidate.record === 'object'
  );
}

/**
 * Adds the attached PDFs to the portal page of every record kind that takes
 * attachments. The list is read under the customer's row-level security, in
 * a transaction of its own after the page's, so a record hidden in between
 * lists nothing. It wraps the handler's result before RenderViewInterceptor
 * renders it, so it must be registered after that interceptor.
 */
@Injectable()
export class AttachmentListInterceptor implements NestInterceptor {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      switchMap((result: unknown) => {
        const parent = isDetailResult(result) ? attachmentParentOf(result.kind.slug) : undefined;
        if (!parent) return of(result);
        return from(this.withAttachments(result as DetailResult, parent));
      }),
    );
  }

  private async withAttachments(result: DetailResult, parent: AttachmentParent): Promise<DetailResult> {
    const recordId = String(result.record.id);
    const rows = await this.db.asCustomer((db) =>
      db.execute<Array<{ id: string; file_name: string; byte_size: number; created_at: Date }>>(
        `SELECT id, file_name, byte_size, created_at FROM record_attachments
         WHERE ${parent.column} = ? ORDER BY created_at, id`,
        [recordId],
      ),
    );
    const locale = this.scope.tenant().locale;

    return {
      ...result,
      attachments: rows.map((row) => ({
        fileName: row.file_name,
        sizeText: formatByteSize(row.byte_size, locale),
        createdAt: row.created_at,
        href: `/${parent.slug}/${recordId}/attachments/${row.id}`,
      })),
    };
  }
}
