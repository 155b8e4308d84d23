import { Injectable } from '@nestjs/common';

import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { dateInZone } from '../../../../libs/locale/src';
import { PAGE_SIZE } from '../../../../libs/records/src/list-query';
import { encodeCursor, isUuid, sortValueToString, timestampCursorValue } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { buildStaffDetailQuery, buildStaffListQuery, StaffListRequest } from './staff-list-query';
import { RecordNotFoundError, StaffRecordKind } from './staff-record-kinds';

export type RecordRow = Record<string, unknown>;

export interface StaffListPage {
  rows: RecordRow[];
  companies: Array<{ id: string; name: string }>;
  nextCursor: string | null;
  previousCursor: string | null;
}

/** Active portal users of the record's company: who a share would email. */
export interface ShareRecipients {
  count: number;
  /** The first few addresses, alphabetically, for the detail page. */
  emails: string[];
}

const RECIPIENTS_SHOWN = 10;

/** Reads record lists and records for the console, across every company of the tenant. */
@Injectable()
export class StaffRecordsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  async list(staffKind: StaffRecordKind, request: StaffListRequest): Promise<StaffListPage> {
    const { sql, params } = buildStaffListQuery(staffKind, request, this.today());
    const { fetched, companies } = await this.db.asStaff(async (db) => ({
      fetched: await db.execute<RecordRow[]>(sql, params),
      companies: await db.execute<Array<{ id: string; name: string }>>(
        'SELECT id, name FROM customer_companies ORDER BY name, id',
      ),
    }));

    const hasMore = fetched.length > PAGE_SIZE;
    const rows = fetched.slice(0, PAGE_SIZE);
    if (request.backwards) rows.reverse();

    const cursorOf = (row: RecordRow | undefined) => {
      if (!row) return null;
      const sortValue =
        staffKind.dateType === 'timestamp' ? timestampCursorValue(row.record_date) : sortValueToString(row.record_date);
      return encodeCursor({ sortValue, id: String(row.id) });
    };
    const hasNext = request.backwards ? true : hasMore;
    const hasPrevious = request.backwards ? hasMore : request.cursor !== null;
    return {
      rows,
      companies,
      nextCursor: hasNext ? cursorOf(rows[rows.length - 1]) : null,
      previousCursor: hasPrevious ? cursorOf(rows[0]) : null,
    };
  }

  /** Loads one record of the tenant and who sharing it would email. A missing or malformed id is a 404. */
  async detail(staffKind: StaffRecordKind, id: string): Promise<{ record: RecordRow; recipients: ShareRecipients }> {
    const notFound = new RecordNotFoundError(staffKind.kind.singular.toLowerCase());
    if (!isUuid(id)) throw notFound;

    const sql = buildStaffDetailQuery(staffKind, this.today());
    const found = await this.db.asStaff(async (db) => {
      const [record] = await db.execute<RecordRow[]>(sql, [id]);
      if (!record) return null;
      const [{ count }] = await db.execute<Array<{ count: number }>>(
        `SELECT count(*)::int AS count FROM portal_users WHERE company_id = ? AND status = 'active'`,
        [record.company_id],
      );
      const emails = await db.execute<Array<{ email: string }>>(
        `SELECT email FROM portal_users WHERE company_id = ? AND status = 'active' ORDER BY email LIMIT ${RECIPIENTS_SHOWN}`,
        [record.company_id],
      );
      return { record, recipients: { count, emails: emails.map((row) => row.email) } };
    });
    if (!found) throw notFound;
    return found;
  }

  private today(): string {
    return dateInZone(new Date(), this.scope.tenant().timeZone);
  }
}
