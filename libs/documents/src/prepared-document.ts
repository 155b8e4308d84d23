import { createHash } from 'node:crypto';

import type { SqlExecutor } from '../../db/src/sql-executor';
import { documentKey } from '../../storage/src/storage-keys';
import { contentHash, loadDocument } from './document-data';
import { DocumentKind, TEMPLATE_VERSION } from './document-kinds';
import type { DocumentData } from './document-types';
import { documentFileName } from './file-name';

/** One document as a company's customers see it; ids only, so it can travel in a job. */
export interface DocumentRequest {
  tenantId: string;
  companyId: string;
  kind: DocumentKind;
  /** The record, or the customer company for a compliance summary. */
  recordId: string;
}

export interface PreparedDocument {
  data: DocumentData;
  /** Storage key: changes with the content, the template version and the branding version. */
  key: string;
  fileName: string;
  /** BullMQ job id for rendering this key, so requests for the same content share one job. */
  jobId: string;
}

/**
 * Loads a document's data in a transaction that reads as the company's
 * customers (TenantDatabase.asCompanyViewerFor, or asCustomer for a signed-in
 * user of that company) and works out where its PDF is stored. Returns null
 * when those customers cannot see the record.
 */
export async function prepareDocument(db: SqlExecutor, request: DocumentRequest): Promise<PreparedDocument | null> {
  const data = await loadDocument(db, request.kind, request.recordId);
  if (!data) return null;
  const [brand] = await db.execute<Array<{ version: number }>>('SELECT version FROM brandings');
  const key = documentKey({
    tenantId: request.tenantId,
    kind: request.kind,
    recordId: request.recordId,
    contentHash: contentHash(data),
    templateVersion: TEMPLATE_VERSION[request.kind],
    brandingVersion: brand?.version ?? 1,
  });
  return { data, key, fileName: documentFileName(data), jobId: renderJobId(key) };
}

/** Derives the render job's id from the storage key; BullMQ ids must not contain colons. */
export function renderJobId(key: string): string {
  return `render-${createHash('sha256').update(key).digest('hex')}`;
}

/** Portal URL segments of the record kinds that have a document, and the document kind of each. */
export const DOCUMENT_KIND_BY_SLUG: Readonly<Record<string, DocumentKind>> = Object.freeze({
  'inspection-reports': 'inspection-report',
  invoices: 'invoice',
  proposals: 'proposal',
  contracts: 'contract',
  'work-orders': 'work-order',
});
