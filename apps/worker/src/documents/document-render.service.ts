import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { DocumentRequest, prepareDocument } from '../../../../libs/documents/src/prepared-document';
import type { DocumentStorage } from '../../../../libs/storage/src/document-storage';
import { DOCUMENT_STORAGE } from '../../../../libs/storage/src/storage.module';
import { PdfRenderer } from '../pdf/pdf-renderer.service';
import { loadDocumentBrand } from './document-brand';
import { renderDocumentHtml } from './render-document';

export type RenderOutcome = 'rendered' | 'already-stored' | 'not-visible';

/**
 * Renders one document to PDF and stores it under its key. The key contains
 * the content hash and the template and branding versions, so a document
 * already stored is never rendered twice, and storing the same key again
 * only writes the same bytes.
 */
@Injectable()
export class DocumentRenderService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly renderer: PdfRenderer,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(DocumentRenderService.name);
  }

  async render(request: DocumentRequest): Promise<{ outcome: RenderOutcome; key?: string }> {
    // The data is read as the company's customers read it, so the PDF shows
    // exactly what they may see, and its key matches the one the portal computes.
    const loaded = await this.db.asCompanyViewerFor(request.tenantId, request.companyId, async (db) => {
      const prepared = await prepareDocument(db, request);
      return prepared ? { prepared, brand: await loadDocumentBrand(db, this.config) } : null;
    });
    if (!loaded || !loaded.brand) {
      this.logger.warn({ ...request }, 'document not visible to the company, nothing rendered');
      return { outcome: 'not-visible' };
    }

    const { prepared, brand } = loaded;
    if (await this.storage.exists(request.tenantId, prepared.key)) return { outcome: 'already-stored', key: prepared.key };

    const started = Date.now();
    const page = renderDocumentHtml(request.kind, prepared.data, brand);
    const pdf = await this.renderer.render(page.html, {
      format: page.format,
      headerTemplate: page.headerTemplate,
      footerTemplate: page.footerTemplate,
    });
    await this.storage.put(request.tenantId, prepared.key, pdf, 'application/pdf');
    this.logger.info(
      { tenantId: request.tenantId, kind: request.kind, recordId: request.recordId, bytes: pdf.length, ms: Date.now() - started },
      'document rendered',
    );
    return { outcome: 'rendered', key: prepared.key };
  }
}
