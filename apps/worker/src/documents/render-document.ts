import { documentFileName } from '../../../../libs/documents/src/file-name';
import { formatterFor } from '../../../../libs/locale/src';
import type { DocumentBrand } from './document-brand';
import { DOCUMENT_KINDS, DOCUMENT_TITLES, DocumentKind } from '../../../../libs/documents/src/document-kinds';
import type { DocumentData } from '../../../../libs/documents/src/document-types';
import { pageFormatFor, PageFormat } from '../../../../libs/documents/src/page-format';
import { compilePrintTemplate, PrintTemplate } from './print-handlebars';

/** The page, Chromium templates, paper size and file name of one document. */
export interface RenderedDocument {
  /** A self-contained page: inline styles, the logo as a data: URL, and a CSP that blocks every other load. */
  html: string;
  /** Chromium's headerTemplate, which is empty because the page itself carries the letterhead. */
  headerTemplate: string;
  /** Chromium's footerTemplate: page numbers, document number and portal URL, with inline styles. */
  footerTemplate: string;
  /** The paper size, also written into the page's @page rule. */
  format: PageFormat;
  /** A file name such as "Invoice INV-1042.pdf", in printable ASCII without quotes or backslashes. */
  fileName: string;
}

const KIND_TEMPLATES = Object.fromEntries(
  DOCUMENT_KINDS.map((kind) => [kind, compilePrintTemplate(`${kind}.hbs`)]),
) as Record<DocumentKind, PrintTemplate>;
const FOOTER_TEMPLATE = compilePrintTemplate('footer.hbs');

// Chromium prints its own date and title when the header template is empty,
// so the empty header is an element with an explicit, tiny font size.
const EMPTY_HEADER = '<div style="font-size:1px;"></div>';

/**
 * Renders a document's HTML and Chromium header and footer. `data` comes
 * from loadDocument and `brand` from loadDocumentBrand, for the same tenant.
 */
export function renderDocumentHtml(kind: DocumentKind, data: DocumentData, brand: DocumentBrand): RenderedDocument {
  if (data.kind !== kind) throw new Error(`renderDocumentHtml was asked for a ${kind} but got ${data.kind} data`);

  const format = pageFormatFor(data.locale);
  const title = DOCUMENT_TITLES[kind];
  const reference = referenceOf(data, title);
  const context = { kind, doc: data, brand, title, reference, page: { format } };

  return {
    html: KIND_TEMPLATES[kind](context, data.locale, data.timeZone),
    headerTemplate: EMPTY_HEADER,
    footerTemplate: FOOTER_TEMPLATE(context, data.locale, data.timeZone),
    format,
    fileName: documentFileName(data),
  };
}

/** Builds the line that names the document on every page, such as "Invoice INV-1042". */
function referenceOf(data: DocumentData, title: string): string {
  if (data.kind !== 'compliance-summary') return `${title} ${data.documentNumber}`;

  const asOf = formatterFor(data.locale, data.timeZone).date(data.asOf);
  return `${title} ${data.documentNumber}, as of ${asOf}`;
}
