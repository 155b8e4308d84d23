import { DOCUMENT_TITLES } from './document-kinds';
import type { DocumentData } from './document-types';

/** Returns the download name of a document, such as "Invoice INV-1042.pdf". */
export function documentFileName(data: DocumentData): string {
  const title = DOCUMENT_TITLES[data.kind];
  return safeFileName(
    data.kind === 'compliance-summary' ? `${title} ${data.documentNumber} ${data.asOf}` : `${title} ${data.documentNumber}`,
  );
}

// Maximum length of the base name. It leaves room for ".pdf" well under the
// 255-byte name limit of common file systems.
const MAX_BASE_NAME = 120;

/**
 * Reduces a name to printable ASCII that a quoted Content-Disposition
 * filename can carry as is: accents are dropped, and quotes, backslashes,
 * path separators, control and other characters become hyphens.
 */
export function safeFileName(baseName: string): string {
  const ascii = baseName.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let cleaned = ascii
    .replace(/\s+/g, ' ')
    .replace(/[^A-Za-z0-9 ._,()+-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, MAX_BASE_NAME)
    // Leading dots would hide the file on Unix systems.
    .replace(/^[\s.-]+|[\s.-]+$/g, '');
  if (cleaned === '') cleaned = 'Document';

  return `${cleaned}.pdf`;
}
