import { Injectable } from '@nestjs/common';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { InvalidInputError } from '../../../../libs/observability/src/errors';
import { isUuid } from '../../../../libs/records/src/paging';
import { RecordNotFoundError } from '../records/staff-record-kinds';

export const INBOX_PAGE_SIZE = 50;

/** Status filters of the inbox, each with its label. */
export const INBOX_FILTERS: Record<string, string> = {
  open: 'Open',
  submitted: 'New',
  triaged: 'Triaged',
  scheduled: 'Scheduled',
  closed: 'Closed',
  all: 'All',
};

export interface InboxRow {
  id: string;
  number: string;
  status: string;
  intake: string;
  lead_status: string | null;
  category: string;
  urgency: string;
  created_at: Date;
  company_name: string;
  site_name: string;
}

export interface RequestDetail extends InboxRow {
  company_id: string;
  description: string;
  preferred_dates: string | null;
  triaged_at: Date | null;
  equipment_name: string | null;
  submitted_by: string | null;
  work_order_id: string | null;
  work_order_number: string | null;
}

export interface StaffAttachment {
  id: string;
  file_name: string;
  content_type: string;
  byte_size: number;
  sha256: string;
  storage_key: string;
}

/** Parses a page cursor "<ISO timestamp>~<uuid>", the last row of the previous page, or throws a 400. */
function parseCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id, extra] = cursor.split('~');
  if (extra !== undefined || !isUuid(id ?? '') || Number.isNaN(Date.parse(createdAt ?? '')) || createdAt.length > 40) {
    throw new InvalidInputError({ after: 'is not a valid page cursor; start again from the first page' });
  }
  return { createdAt, id };
}

/**
 * Reads service requests for staff of the signed-in tenant: the inbox,
 * newest first, and one request with its files. Row-level security hides
 * every other tenant's requests, which therefore count as missing.
 */
@Injectable()
export class ServiceRequestInbox {
  constructor(private readonly db: TenantDatabase) {}

  async list(status: string, after?: string): Promise<{ rows: InboxRow[]; nextCursor: string | null }> {
    if (!Object.hasOwn(INBOX_FILTERS, status)) {
      throw new InvalidInputError({ status: `must be one of: ${Object.keys(INBOX_FILTERS).join(', ')}` });
    }
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (status === 'open') conditions.push(`r.status <> 'closed'`);
    else if (status !== 'all') {
      conditions.push('r.status = ?');
      params.push(status);
    }
    if (after) {
      const cursor = parseCursor(after);
      conditions.push('(r.created_at, r.id) < (?::timestamptz, ?::uuid)');
      params.push(cursor.createdAt, cursor.id);
    }

    const rows = await this.db.asStaff((db) =>
      db.execute<InboxRow[]>(
        `SELECT r.id, r.number, r.status, r.intake, r.lead_status, r.category, r.urgency, r.created_at,
                c.name AS company_name, s.name AS site_name
         FROM service_requests r
         JOIN customer_companies c ON c.tenant_id = r.tenant_id AND c.id = r.company_id
         JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
         ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
         ORDER BY r.created_at DESC, r.id DESC
         LIMIT ${INBOX_PAGE_SIZE + 1}`,
        params,
      ),
    );
    const page = rows.slice(0, INBOX_PAGE_SIZE);
    const last = page[page.length - 1];
    const nextCursor = rows.length > INBOX_PAGE_SIZE && last ? `${last.created_at.toISOString()}~${last.id}` : null;
    return { rows: page, nextCursor };
  }

  /** Loads one request with its files, or throws the 404 for a missing or malformed id. */
  async detail(id: string): Promise<{ request: RequestDetail; attachments: StaffAttachment[] }> {
    if (!isUuid(id)) throw new RecordNotFoundError('service request');
    return this.db.asStaff(async (db) => {
      const [request] = await db.execute<RequestDetail[]>(
        `SELECT r.id, r.number, r.status, r.intake, r.lead_status, r.category, r.urgency, r.created_at, r.company_id,
                r.description, r.preferred_dates, r.triaged_at, c.name AS company_name, s.name AS site_name,
                e.name AS equipment_name, coalesce(u.name, u.email) AS submitted_by,
                w.id AS work_order_id, w.number AS work_order_number
         FROM service_requests r
         JOIN customer_companies c ON c.tenant_id = r.tenant_id AND c.id = r.company_id
         JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
         LEFT JOIN equipment e ON e.tenant_id = r.tenant_id AND e.id = r.equipment_id
         LEFT JOIN portal_users u ON u.tenant_id = r.tenant_id AND u.id = r.portal_user_id
         LEFT JOIN work_orders w ON w.tenant_id = r.tenant_id AND w.service_request_id = r.id
         WHERE r.id = ?`,
        [id],
      );
      if (!request) throw new RecordNotFoundError('service request');
      const attachments = await db.execute<StaffAttachment[]>(
        `SELECT id, file_name, content_type, byte_size, sha256, storage_key FROM record_attachments
         WHERE service_request_id = ? ORDER BY created_at, id`,
        [id],
      );
      return { request, attachments };
    });
  }

  /** Reads the tenant's intake setting: 'work_order' or 'lead'. */
  async intake(): Promise<string> {
    const [tenant] = await this.db.asStaff((db) =>
      db.execute<Array<{ service_request_intake: string }>>(
        'SELECT service_request_intake FROM tenants WHERE id = (SELECT app_current_tenant_id())',
      ),
    );
    return tenant.service_request_intake;
  }
}
