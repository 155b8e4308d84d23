import { createHash } from 'node:crypto';

import '../../db/src/pg-types';
import type { SqlExecutor } from '../../db/src/sql-executor';
import { dateInZone } from '../../locale/src';
import type { DocumentKind } from './document-kinds';
import type { DocumentData } from './document-types';
import { loadComplianceSummary } from './loaders/compliance-summary.loader';
import { loadContract } from './loaders/contract.loader';
import { loadInspectionReport } from './loaders/inspection-report.loader';
import { loadInvoice } from './loaders/invoice.loader';
import type { LoadContext } from './loaders/loader-support';
import { loadProposal } from './loaders/proposal.loader';
import { loadWorkOrder } from './loaders/work-order.loader';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Loader = (db: SqlExecutor, id: string, context: LoadContext) => Promise<DocumentData | null>;

const LOADERS: Record<DocumentKind, Loader> = {
  'inspection-report': loadInspectionReport,
  invoice: loadInvoice,
  proposal: loadProposal,
  contract: loadContract,
  'work-order': loadWorkOrder,
  'compliance-summary': loadComplianceSummary,
};

export interface LoadDocumentOptions {
  /** The instant whose date in the tenant's time zone counts as today. Defaults to the current time. */
  now?: Date;
}

/**
 * Loads everything one document's template prints, inside a transaction
 * that is already pinned to the tenant (TenantDatabase.asWorkerFor).
 * `recordId` names the record, or the customer company for a compliance
 * summary.
 *
 * Returns null when the record is missing, belongs to another tenant, or is
 * not shared with its customer: the worker reads as staff, who see unshared
 * rows, but documents are printed for customers. Linked equipment that is
 * not shared is left out for the same reason.
 */
export async function loadDocument(
  db: SqlExecutor,
  kind: DocumentKind,
  recordId: string,
  options: LoadDocumentOptions = {},
): Promise<DocumentData | null> {
  if (!UUID.test(recordId)) return null;

  const [tenant] = await db.execute<Array<{ locale: string; time_zone: string }>>('SELECT locale, time_zone FROM tenants');
  if (!tenant) return null;
  const context: LoadContext = {
    today: dateInZone(options.now ?? new Date(), tenant.time_zone),
    locale: tenant.locale,
    timeZone: tenant.time_zone,
  };

  return LOADERS[kind](db, recordId, context);
}

/**
 * Writes a value as JSON with object keys sorted at every depth, so equal
 * data gives equal text whatever order its properties were set in. Rejects
 * values JSON cannot carry faithfully instead of dropping or rounding them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson cannot encode the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`canonicalJson cannot encode a value of type ${describe(value)}`);
}

/**
 * Returns the hex SHA-256 of the data's canonical JSON. Storage keys include
 * it, so the same content maps to the same stored file and any change in a
 * printed value gives a new key.
 */
export function contentHash(data: DocumentData): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}
