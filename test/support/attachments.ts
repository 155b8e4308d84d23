import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Pool } from 'pg';

import type { DocumentStorage } from '../../libs/storage/src/document-storage';
import { uploadKey } from '../../libs/storage/src/storage-keys';

/**
 * Builds a small, valid one-page PDF that shows `text`, with a correct
 * cross-reference table. The comment line after the header contains bytes
 * above 127, as real PDFs do, so a download that re-encodes text shows up
 * as changed bytes.
 */
export function minimalPdf(text: string): Buffer {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(length);
    const object = Buffer.from(`${index + 1} 0 obj\n${body}\nendobj\n`, 'latin1');
    parts.push(object);
    length += object.length;
  });
  const entries = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  const trailer =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}` +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(trailer, 'latin1'));
  return Buffer.concat(parts);
}

export type AttachmentParentSlug = 'contracts' | 'compliance-documents';

export interface AttachmentFixture {
  tenantId: string;
  companyId: string;
  parent: AttachmentParentSlug;
  recordId: string;
  fileName: string;
  bytes: Buffer;
}

const PARENT_COLUMNS: Record<AttachmentParentSlug, string> = {
  contracts: 'contract_id',
  'compliance-documents': 'compliance_document_id',
};

/**
 * Inserts an attachment row as the migrating user, as staff would have
 * attached it, and puts its bytes through `storage` when one is given.
 * Returns the new row's id and storage key.
 */
export async function insertAttachment(
  admin: Pool,
  fixture: AttachmentFixture,
  storage?: DocumentStorage,
): Promise<{ id: string; storageKey: string }> {
  const sha256 = createHash('sha256').update(fixture.bytes).digest('hex');
  const storageKey = uploadKey({ tenantId: fixture.tenantId, kind: fixture.parent, recordId: fixture.recordId, sha256 });
  if (storage) await storage.put(fixture.tenantId, storageKey, fixture.bytes, 'application/pdf');

  const result = await admin.query<{ id: string }>(
    `INSERT INTO record_attachments (tenant_id, company_id, ${PARENT_COLUMNS[fixture.parent]}, file_name, byte_size, sha256, storage_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [fixture.tenantId, fixture.companyId, fixture.recordId, fixture.fileName, fixture.bytes.length, sha256, storageKey],
  );
  return { id: result.rows[0].id, storageKey };
}

export interface BinaryResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends one request to 127.0.0.1 and keeps the response body as bytes, for downloads. */
export function binaryRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  options: { method?: string; body?: Buffer } = {},
): Promise<BinaryResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
